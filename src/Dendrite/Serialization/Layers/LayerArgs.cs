using System.Text.Json;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// One layer of a spec as a <see cref="LayerType.Plan"/> sees it: its options, read by type, and the
/// per-sample shape reaching it. Every error it raises is a <see cref="ModelSpecException"/> that starts
/// with <see cref="Where"/> ("layer 3 (conv2d)").
/// </summary>
internal sealed class LayerArgs
{
    private readonly LayerSpec layer;

    /// <summary>Rejects any option <paramref name="type"/> does not have.</summary>
    public LayerArgs(int index, LayerSpec layer, LayerType type, int[] input)
    {
        this.layer = layer;
        Input = input;
        Where = $"layer {index} ({layer.Kind})";
        var known = type.Options.Select(o => o.Name).ToArray();
        foreach (var name in layer.Options.Keys)
        {
            if (!known.Contains(name))
                throw new ModelSpecException(known.Length == 0
                    ? $"{Where}: unknown option '{name}' ({layer.Kind} takes no options)"
                    : $"{Where}: unknown option '{name}' (known: {string.Join(", ", known)})");
        }
    }

    /// <summary>The shape of one sample reaching the layer (no batch dimension).</summary>
    public int[] Input { get; }

    /// <summary>"layer 3 (conv2d)": how messages name the layer.</summary>
    public string Where { get; }

    /// <summary>The option's value, or its default; a required option that is missing is an error.</summary>
    public T Get<T>(LayerOption<T> option) where T : struct =>
        Find(option) ?? option.Default ?? throw Error($"missing option '{option.Name}' ({option.Expected})");

    /// <summary>The option's value as written, or null when the spec leaves it out.</summary>
    public T? Find<T>(LayerOption<T> option) where T : struct
    {
        if (!layer.Options.TryGetValue(option.Name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        return option.Parse(value) ?? throw Error($"option '{option.Name}' must be {option.Expected}, got {value.GetRawText()}");
    }

    public ModelSpecException Error(string message) => new($"{Where}: {message}");

    /// <summary>
    /// Runs a module's own argument checks (what its constructor checks) and turns their
    /// <see cref="ArgumentException"/> into this layer's error, the module's name replaced by the layer's
    /// and <paramref name="context"/> appended; so a spec is checked exactly as the module would be, before
    /// anything is built.
    /// </summary>
    public T Check<T>(Func<T> check, string context = "")
    {
        try
        {
            return check();
        }
        catch (ArgumentException e)
        {
            // Module messages read "Conv2d: groups=3 must divide ..."; the layer's name takes the module's place.
            string message = e.Message;
            int colon = message.IndexOf(": ", StringComparison.Ordinal);
            if (colon > 0 && !message.AsSpan(0, colon).Contains(' ')) message = message[(colon + 2)..];
            throw Error(message + context);
        }
    }

    /// <inheritdoc cref="Check{T}(Func{T}, string)"/>
    public void Check(Action check, string context = "") => Check(() =>
    {
        check();
        return true;
    }, context);

    /// <summary>The feature count of a rank-1 input; other ranks are an error.</summary>
    public int Features() =>
        Input.Length == 1 ? Input[0] : throw Error(
            $"expected input of rank 1 (features), got {ModelSpec.Format(Input)}" + (Input.Length > 1 ? "; add a flatten layer" : ""));

    /// <summary>Checks for a [channels, height, width] input.</summary>
    public void Image()
    {
        if (Input.Length != 3)
            throw Error($"expected input of rank 3 (channels, height, width), got {ModelSpec.Format(Input)}" +
                (Input.Length == 1 ? "; a flattened input cannot be pooled or convolved" : ""));
    }

    /// <summary>
    /// The output height and width of a window sliding over the image input; a window that does not fit is
    /// an error. Computed in 64 bits, since padding or dilation from a file can push the padded size past
    /// int (padding 10^9 on both sides); an output side beyond int is an error too.
    /// </summary>
    public (int H, int W) WindowOutput(Kernels.Window2d w, string what)
    {
        long spanH = (long)Input[1] + w.PadTop + w.PadBottom - (long)w.DilationH * (w.KernelH - 1) - 1;
        long spanW = (long)Input[2] + w.PadLeft + w.PadRight - (long)w.DilationW * (w.KernelW - 1) - 1;
        if (spanH < 0 || spanW < 0)
            throw Error($"input {ModelSpec.Format(Input)} is too small for {what} (the window does not fit)");
        long h = spanH / w.StrideH + 1, width = spanW / w.StrideW + 1;
        if (h > int.MaxValue || width > int.MaxValue)
            throw Error($"{what} on input {ModelSpec.Format(Input)} gives an output of {h} × {width}, beyond the 2^31 a tensor side holds");
        return ((int)h, (int)width);
    }
}
