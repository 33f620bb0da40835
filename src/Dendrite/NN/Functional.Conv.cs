using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.NN;

// Convolution and pooling over [N, C, H, W] (or unbatched [C, H, W]): the modules in Layers/Conv2d.cs and
// Layers/Pooling.cs call these with the window they resolved once in their constructor.
public static partial class Functional
{
    /// <summary>
    /// 2-d convolution (cross-correlation), like <c>torch.nn.functional.conv2d</c>: input [N, C_in, H, W] or
    /// [C_in, H, W], weight [C_out, C_in/groups, kh, kw], bias [C_out] or null → [N, C_out, H_out, W_out] with
    /// H_out = ⌊(H + pad_top + pad_bottom − dilation·(kh − 1) − 1) / stride⌋ + 1. Stride and dilation
    /// default to 1, padding to 0 (<see cref="Padding2d.Same"/> keeps the size at stride 1), groups to 1.
    /// </summary>
    public static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias = null, Size2d? stride = null, Padding2d padding = default,
        Size2d? dilation = null, int groups = 1)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 4)
            throw new ArgumentException($"Conv2d: expected weight of shape [C_out,C_in/groups,kh,kw], got {weight.Shape} (input {input.Shape})");
        if (groups < 1) throw new ArgumentException($"Conv2d: groups must be positive, got {groups}");
        var window = padding.Window(new Size2d(weight.Shape[2], weight.Shape[3]), stride ?? 1, dilation ?? 1, "Conv2d");
        return Conv2d(input, weight, bias, window, groups);
    }

    /// <summary>The convolution over a resolved window; with <paramref name="relu"/> (and <paramref name="maxPool"/>) fused, no graph allowed.</summary>
    internal static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, Window2d window, int groups, bool relu = false,
        Window2d? maxPool = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 3) return Conv2d(input.Unsqueeze(0), weight, bias, window, groups, relu, maxPool).Squeeze(0);
        int inChannels = weight.Shape[1] * groups;
        if (input.Rank != 4 || input.Shape[1] != inChannels)
            throw new ArgumentException(
                $"Conv2d: expected input [N,{inChannels},H,W] or [{inChannels},H,W] for weight {weight.Shape} and {groups} group(s), got {input.Shape}");
        return Tensor.Conv2d(input, weight, bias, window, groups, relu, maxPool);
    }

    /// <summary>
    /// relu(Conv2d(x)): with no gradient to record the ReLU runs in the convolution's last pass; otherwise it
    /// is the two ops, as a backward pass needs. <see cref="Fusion"/> calls it for a Conv2d followed by a ReLU.
    /// </summary>
    internal static Tensor Conv2dRelu(Tensor input, Tensor weight, Tensor? bias, Window2d window, int groups) =>
        RecordsConv(input, weight, bias)
            ? Conv2d(input, weight, bias, window, groups).Relu()
            : Conv2d(input, weight, bias, window, groups, relu: true);

    /// <summary>
    /// maxpool(relu(Conv2d(x))) as one op when no gradient is recorded: each image's map is pooled while it is
    /// in cache instead of being written out and read back. Null when a graph would be recorded (the caller
    /// then runs the three ops one by one).
    /// </summary>
    internal static Tensor? Conv2dReluMaxPool(Tensor input, Tensor weight, Tensor? bias, Window2d window, int groups, Window2d pool) =>
        RecordsConv(input, weight, bias) ? null : Conv2d(input, weight, bias, window, groups, relu: true, pool);

    private static bool RecordsConv(Tensor input, Tensor weight, Tensor? bias) =>
        Tensor.ShouldRecord(NotNull(input), weight) || (bias is not null && Tensor.ShouldRecord(bias));

    /// <summary>
    /// Max over each window, like <c>torch.nn.functional.max_pool2d</c>: input [N, C, H, W] or [C, H, W];
    /// stride defaults to the kernel size, padding (at most half the kernel) to 0 and counts as −∞,
    /// dilation to 1. The gradient goes to each window's maximum (the first one on ties).
    /// </summary>
    public static Tensor MaxPool2d(Tensor input, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null) =>
        MaxPool2d(input, PoolWindow(kernelSize, stride, padding, dilation ?? 1, "MaxPool2d"));

    internal static Tensor MaxPool2d(Tensor input, Window2d window, bool relu = false) =>
        NotNull(input).Rank == 3 ? Tensor.MaxPool2d(input.Unsqueeze(0), window, relu).Squeeze(0) : Tensor.MaxPool2d(input, window, relu);

    /// <summary>
    /// Mean over each window, like <c>torch.nn.functional.avg_pool2d</c>: input [N, C, H, W] or [C, H, W];
    /// stride defaults to the kernel size, padding to 0. With <paramref name="countIncludePad"/> (the default,
    /// as in PyTorch) the zero padding counts toward each window's divisor.
    /// </summary>
    public static Tensor AvgPool2d(Tensor input, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, bool countIncludePad = true) =>
        AvgPool2d(input, PoolWindow(kernelSize, stride, padding, 1, "AvgPool2d"), countIncludePad);

    internal static Tensor AvgPool2d(Tensor input, Window2d window, bool countIncludePad) =>
        NotNull(input).Rank == 3
            ? Tensor.AvgPool2d(input.Unsqueeze(0), window, countIncludePad).Squeeze(0)
            : Tensor.AvgPool2d(input, window, countIncludePad);

    /// <summary>
    /// Averages [N, C, H, W] (or [C, H, W]) into [N, C, outH, outW] whatever H and W are, like
    /// <c>torch.nn.functional.adaptive_avg_pool2d</c>: output cell (i, j) averages rows ⌊i·H/outH⌋ to
    /// ⌈(i+1)·H/outH⌉ − 1 and the columns likewise.
    /// </summary>
    public static Tensor AdaptiveAvgPool2d(Tensor input, Size2d outputSize) =>
        NotNull(input).Rank == 3
            ? Tensor.AdaptiveAvgPool2d(input.Unsqueeze(0), outputSize.H, outputSize.W).Squeeze(0)
            : Tensor.AdaptiveAvgPool2d(input, outputSize.H, outputSize.W);

    /// <summary>A pooling window, checked as the pooling layers check theirs: stride defaults to the kernel size, padding (on both sides) to 0.</summary>
    private static Window2d PoolWindow(Size2d kernelSize, Size2d? stride, Size2d? padding, Size2d dilation, string op) =>
        Layers.Pool2d.Window(kernelSize, stride ?? kernelSize, padding ?? 0, dilation, op);
}
