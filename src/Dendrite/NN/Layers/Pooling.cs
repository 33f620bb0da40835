using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Max over each kernel window of [N, C, H, W] (or [C, H, W]); stride defaults to the kernel size and
/// padding counts as −∞. The gradient goes to each window's maximum. Like <c>torch.nn.MaxPool2d</c>.
/// </summary>
public sealed class MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null) : Module
{
    private readonly Kernels.Window2d window = Pool2d.Window(kernelSize, stride ?? kernelSize, padding ?? 0, dilation ?? 1, "MaxPool2d");

    public Size2d KernelSize { get; } = kernelSize;
    public Size2d Stride { get; } = stride ?? kernelSize;

    /// <summary>The implicit −∞ padding, applied on both sides (at most half the kernel size).</summary>
    public Size2d Padding { get; } = padding ?? 0;

    /// <summary>The spacing of a window's taps.</summary>
    public Size2d Dilation { get; } = dilation ?? 1;

    /// <summary>The padding on each side as applied (top, left, bottom, right).</summary>
    public Pads2d Pads => Pads2d.Of(window);

    internal Kernels.Window2d Window => window;

    public override Tensor Forward(Tensor input) => Functional.MaxPool2d(input, window);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding=({window.PadTop}, {window.PadLeft})";
}

/// <summary>
/// Mean over each kernel window; with <paramref name="countIncludePad"/> (the default, as in PyTorch) the
/// zero padding counts toward the divisor. Like <c>torch.nn.AvgPool2d</c>.
/// </summary>
public sealed class AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool countIncludePad = true) : Module
{
    private readonly Kernels.Window2d window = Pool2d.Window(kernelSize, stride ?? kernelSize, padding ?? 0, 1, "AvgPool2d");

    public Size2d KernelSize { get; } = kernelSize;
    public Size2d Stride { get; } = stride ?? kernelSize;

    /// <summary>The zero padding, applied on both sides (at most half the kernel size).</summary>
    public Size2d Padding { get; } = padding ?? 0;

    /// <summary>The padding on each side as applied (top, left, bottom, right).</summary>
    public Pads2d Pads => Pads2d.Of(window);

    /// <summary>Whether the zero padding counts toward each window's divisor (PyTorch's <c>count_include_pad</c>).</summary>
    public bool CountIncludePad => countIncludePad;

    public override Tensor Forward(Tensor input) => Functional.AvgPool2d(input, window, countIncludePad);

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding=({window.PadTop}, {window.PadLeft})";
}

/// <summary>Averages [N, C, H, W] into a fixed [N, C, outH, outW] whatever H and W are. Like <c>torch.nn.AdaptiveAvgPool2d</c>.</summary>
public sealed class AdaptiveAvgPool2d(Size2d outputSize) : Module
{
    public Size2d OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) => Functional.AdaptiveAvgPool2d(input, OutputSize);

    protected override string ExtraRepr() => $"output_size={OutputSize}";
}

internal static class Pool2d
{
    /// <summary>
    /// A pooling layer's constructor checks, also run by <see cref="Serialization.ModelSpec"/> before it builds
    /// anything; returns the window.
    /// </summary>
    public static Kernels.Window2d Window(Size2d kernelSize, Size2d stride, Size2d padding, Size2d dilation, string op)
    {
        var window = new Padding2d(padding.H, padding.W).Window(kernelSize, stride, dilation, op);
        // PyTorch refuses wider padding: a window could then lie wholly in the padding.
        if (padding.H > kernelSize.H / 2 || padding.W > kernelSize.W / 2)
            throw new ArgumentException(
                $"{op}: padding {padding.ToShortString()} must be at most half the kernel size {kernelSize.ToShortString()}");
        return window;
    }
}
