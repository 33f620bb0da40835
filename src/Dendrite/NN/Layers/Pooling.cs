using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Max over each kernel window of [N, C, H, W] (or [C, H, W]); stride defaults to the kernel size and
/// padding counts as −∞. The gradient goes to each window's maximum. Like <c>torch.nn.MaxPool2d</c>.
/// </summary>
public sealed class MaxPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null) : Module
{
    private readonly Kernels.Window2d window =
        new Padding2d((padding ?? 0).H, (padding ?? 0).W).Window(kernelSize, stride ?? kernelSize, dilation ?? 1, "MaxPool2d");

    public Size2d KernelSize { get; } = kernelSize;
    public Size2d Stride { get; } = stride ?? kernelSize;

    internal Kernels.Window2d Window => window;

    public override Tensor Forward(Tensor input) =>
        Pool2d.Unbatched(input, x => Tensor.MaxPool2d(x, window));

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding=({window.PadTop}, {window.PadLeft})";
}

/// <summary>
/// Mean over each kernel window; with <paramref name="countIncludePad"/> (the default, as in PyTorch) the
/// zero padding counts toward the divisor. Like <c>torch.nn.AvgPool2d</c>.
/// </summary>
public sealed class AvgPool2d(Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool countIncludePad = true) : Module
{
    private readonly Kernels.Window2d window =
        new Padding2d((padding ?? 0).H, (padding ?? 0).W).Window(kernelSize, stride ?? kernelSize, 1, "AvgPool2d");

    public Size2d KernelSize { get; } = kernelSize;
    public Size2d Stride { get; } = stride ?? kernelSize;

    public override Tensor Forward(Tensor input) =>
        Pool2d.Unbatched(input, x => Tensor.AvgPool2d(x, window, countIncludePad));

    protected override string ExtraRepr() => $"kernel_size={KernelSize}, stride={Stride}, padding=({window.PadTop}, {window.PadLeft})";
}

/// <summary>Averages [N, C, H, W] into a fixed [N, C, outH, outW] whatever H and W are. Like <c>torch.nn.AdaptiveAvgPool2d</c>.</summary>
public sealed class AdaptiveAvgPool2d(Size2d outputSize) : Module
{
    public Size2d OutputSize { get; } = outputSize;

    public override Tensor Forward(Tensor input) =>
        Pool2d.Unbatched(input, x => Tensor.AdaptiveAvgPool2d(x, OutputSize.H, OutputSize.W));

    protected override string ExtraRepr() => $"output_size={OutputSize}";
}

internal static class Pool2d
{
    /// <summary>Runs a batched pooling op on an unbatched [C, H, W] input too.</summary>
    public static Tensor Unbatched(Tensor input, Func<Tensor, Tensor> op)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Rank == 3 ? op(input.Unsqueeze(0)).Squeeze(0) : op(input);
    }
}
