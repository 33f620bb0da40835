using System.Text.Json;

namespace Dendrite.Serialization;

/// <summary>
/// One layer of a <see cref="ModelSpec"/>: a type name (<c>"conv2d"</c>, <c>"relu"</c>, ...; matched
/// ignoring case and underscores) and its options as JSON values, kept exactly as written so a spec
/// round-trips. Input sizes (in_features, in_channels, num_features) are never options: the spec infers
/// them from the shape that reaches the layer.
/// </summary>
public sealed class LayerSpec
{
    /// <summary>A layer of the given type with options given as JSON values.</summary>
    public LayerSpec(string type, IReadOnlyDictionary<string, JsonElement>? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        Type = type;
        // Clone so the spec never depends on a JsonDocument that the caller may dispose.
        Options = options?.ToDictionary(o => o.Key, o => o.Value.Clone()) ?? [];
    }

    /// <summary>
    /// A layer with options given as plain values (int, float, double, bool, string, int[] or string[]):
    /// <c>LayerSpec.Of("conv2d", ("out_channels", 6), ("kernel_size", 5))</c>.
    /// </summary>
    public static LayerSpec Of(string type, params (string Name, object Value)[] options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var values = new Dictionary<string, JsonElement>();
        foreach (var (name, value) in options)
        {
            if (!values.TryAdd(name, JsonSerializer.SerializeToElement(value, value.GetType())))
                throw new ArgumentException($"LayerSpec: option '{name}' given twice for layer type '{type}'");
        }
        return new LayerSpec(type, values);
    }

    /// <summary>The layer type as written.</summary>
    public string Type { get; }

    /// <summary>The options as written, in order (without "type").</summary>
    public IReadOnlyDictionary<string, JsonElement> Options { get; }

    /// <summary>The type in canonical form: lower case, without underscores (<c>"LeakyReLU"</c> → <c>"leakyrelu"</c>).</summary>
    public string Kind => Type.Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();

    /// <summary>The layer as one compact JSON object, "type" first.</summary>
    public override string ToString()
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer)) WriteTo(writer);
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", Type);
        foreach (var (name, value) in Options)
        {
            writer.WritePropertyName(name);
            value.WriteTo(writer);
        }
        writer.WriteEndObject();
    }
}

/// <summary>
/// What <see cref="ModelSpec.InferShapes"/> tells about one layer, per sample (shapes without the batch
/// dimension): its output shape, its learnable parameter count, and its multiply-adds per sample — the
/// multiply-accumulates of its linear maps (Linear, Conv2d, Maxout), 0 for the other layers, whose cost
/// is a few operations per element.
/// </summary>
public sealed record LayerInfo(int Index, string Type, IReadOnlyList<int> InputShape, IReadOnlyList<int> OutputShape,
    long Parameters, long MultiplyAdds);

/// <summary>A model spec that is malformed or whose layers do not fit together; the message names the layer and option.</summary>
public sealed class ModelSpecException(string message) : FormatException(message);
