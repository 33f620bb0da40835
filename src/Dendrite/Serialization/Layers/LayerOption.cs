using System.Text.Json;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// One option of a layer type: its name in a spec, what values it takes (said the way error messages say
/// it), whether it is required, and its default. <see cref="LayerOption{T}"/> reads and writes the values.
/// </summary>
internal abstract class LayerOption(string name, string expected, bool required)
{
    /// <summary>The name in a spec (PyTorch's argument name: <c>out_channels</c>).</summary>
    public string Name { get; } = name;

    /// <summary>What it takes: "a positive integer".</summary>
    public string Expected { get; } = expected;

    /// <summary>Whether a spec must give it (otherwise it has a default, or one that depends on other options).</summary>
    public bool Required { get; } = required;
}

/// <summary>An option whose values are <typeparamref name="T"/>s.</summary>
internal sealed class LayerOption<T>(string name, string expected, bool required, T? @default, Func<JsonElement, T?> parse, Func<T, object> write)
    : LayerOption(name, expected, required) where T : struct
{
    /// <summary>The value when the spec leaves the option out; null when required or when it depends on other options.</summary>
    public T? Default { get; } = @default;

    /// <summary>The value a JSON element gives, or null when the element is not one of the values <see cref="LayerOption.Expected"/> says.</summary>
    public T? Parse(JsonElement value) => parse(value);

    /// <summary>The value as a spec writes it: an int, float, bool, string or an array of them.</summary>
    public object Write(T value) => write(value);
}

/// <summary>The kinds of option a layer type can have.</summary>
internal static class Option
{
    /// <summary>An integer of at least <paramref name="min"/>; required when it has no default.</summary>
    public static LayerOption<int> Int(string name, int? @default = null, int min = int.MinValue) =>
        new(name, IntExpected(min), @default is null, @default, e => ParseInt(e, min), v => v);

    /// <summary>An int or a [height, width] pair of ints of at least <paramref name="min"/>; written as one int when square.</summary>
    public static LayerOption<Size2d> Pair(string name, Size2d? @default = null, int min = 1, bool required = true) =>
        new(name, IntExpected(min) + " or a [height, width] pair", required && @default is null, @default, e => ParsePair(e, min), WritePair);

    /// <summary>An optional pair whose default depends on other options (a pool's stride is its kernel size).</summary>
    public static LayerOption<Size2d> OptionalPair(string name, int min = 1) => Pair(name, null, min, required: false);

    /// <summary>Explicit padding (an int or pair of non-negative ints), "same" or "valid" (= 0).</summary>
    public static LayerOption<Padding2d> Padding(string name) =>
        new(name, "a non-negative integer, a [height, width] pair, \"same\" or \"valid\"", false, new Padding2d(0, 0), ParsePadding,
            p => p.IsSame ? "same" : WritePair(new Size2d(p.H, p.W)));

    /// <summary>A finite number.</summary>
    public static LayerOption<float> Float(string name, float @default) =>
        new(name, "a number", false, @default,
            e => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double v) && double.IsFinite(v) ? (float)v : null, v => v);

    /// <summary>true or false.</summary>
    public static LayerOption<bool> Bool(string name, bool @default) =>
        new(name, "true or false", false, @default,
            e => e.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null }, v => v);

    /// <summary>A <see cref="FeatureSet"/>: "all" or a list of feature names; written as "all" or the list in output order.</summary>
    public static LayerOption<FeatureSet> Features(string name) =>
        new(name, "\"all\" or a list of " + string.Join(", ", FeatureNames.Select(f => $"\"{f.Name}\"")), true, null, ParseFeatures,
            set => set == FeatureSet.All ? "all" : FeatureNames.Where(f => set.HasFlag(f.Feature)).Select(f => f.Name).ToArray());

    private static readonly (FeatureSet Feature, string Name)[] FeatureNames =
    [
        (FeatureSet.X1, "x1"), (FeatureSet.X2, "x2"), (FeatureSet.X1Squared, "x1_squared"), (FeatureSet.X2Squared, "x2_squared"),
        (FeatureSet.X1X2, "x1x2"), (FeatureSet.SinX1, "sin_x1"), (FeatureSet.SinX2, "sin_x2"),
    ];

    private static string IntExpected(int min) => min == 1 ? "a positive integer" : min == 0 ? "a non-negative integer" : "an integer";

    private static int? ParseInt(JsonElement e, int min) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out int v) && v >= min ? v : null;

    private static Size2d? ParsePair(JsonElement e, int min)
    {
        if (ParseInt(e, min) is int v) return v;
        if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2) return null;
        return (ParseInt(e[0], min), ParseInt(e[1], min)) is (int h, int w) ? new Size2d(h, w) : null;
    }

    private static object WritePair(Size2d size) => size.H == size.W ? size.H : new[] { size.H, size.W };

    private static Padding2d? ParsePadding(JsonElement e)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            string text = e.GetString()!;
            if (text.Equals("same", StringComparison.OrdinalIgnoreCase)) return Padding2d.Same;
            return text.Equals("valid", StringComparison.OrdinalIgnoreCase) ? new Padding2d(0, 0) : null;
        }
        return ParsePair(e, 0) is { } pair ? new Padding2d(pair.H, pair.W) : null;
    }

    private static FeatureSet? ParseFeatures(JsonElement e)
    {
        JsonElement[] items = e.ValueKind switch
        {
            JsonValueKind.String => [e],
            JsonValueKind.Array => [.. e.EnumerateArray()],
            _ => [],
        };
        var set = FeatureSet.None;
        foreach (var item in items)
        {
            // Names match ignoring case and underscores, as layer types do.
            string key = item.ValueKind == JsonValueKind.String ? Canonical(item.GetString()!) : "";
            if (key == "all") set |= FeatureSet.All;
            else if (FeatureNames.FirstOrDefault(f => Canonical(f.Name) == key) is { Feature: not FeatureSet.None } known) set |= known.Feature;
            else return null;
        }
        return set == FeatureSet.None ? null : set;
    }

    private static string Canonical(string name) => name.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
}
