using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Convolution and pooling over [N, C, H, W] batches. The public, PyTorch-shaped entry points are the
// layers in NN/Layers and NN.Functional; these are the differentiable primitives they share.
public partial class Tensor
{
    /// <summary>
    /// 2-d cross-correlation (what deep learning calls convolution): out[n, o] = bias[o] +
    /// Σ_c weight[o, c] ⋆ input[n, g·C/groups + c], computed as GEMMs over the im2col matrix (see ConvBatch).
    /// input [N, C, H, W], weight [O, C/groups, kh, kw], bias [O] or null → [N, O, outH, outW].
    /// </summary>
    /// <remarks>
    /// With <paramref name="relu"/> the result is max(·, 0), fused into the same pass, and with
    /// <paramref name="maxPool"/> as well it is then max-pooled over that window while each image's output
    /// is still in cache (the same numbers as the three ops in turn, without writing the unpooled map out);
    /// both only when no graph is recorded.
    /// </remarks>
    internal static Tensor Conv2d(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups, bool relu = false,
        Window2d? maxPool = null)
    {
        CheckConvShapes(input, weight, bias, win, groups);
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], cg = c / groups, og = o / groups;
        int outH = win.OutputH(h), outW = win.OutputW(w), p = outH * outW, k = cg * win.KernelH * win.KernelW;
        var x = input.ContiguousNoGrad();
        var wt = weight.ContiguousNoGrad();
        var geometry = new ConvGeometry(n, c, h, w, o, groups, win);
        // A stride-1 convolution never writes its im2col matrix (ConvBatch reads the padded input in place,
        // forward and backward). Otherwise, when the graph is recorded, the im2col columns of the whole batch
        // are kept, side by side in col [groups][k, N·P], for the weight gradient.
        bool record = ShouldRecord(input, weight, bias);
        if (record && relu) throw new InvalidOperationException("Conv2d: a fused ReLU has no backward; apply Relu() separately");
        if (maxPool is { } pool)
        {
            if (record || !relu) throw new InvalidOperationException("Conv2d: max pooling is fused only after a ReLU, without a graph");
            var (poolH, poolW) = PoolOutput(Shape.Of([n, o, outH, outW]), pool, "MaxPool2d");
            var pooled = Uninitialized(Shape.Of([n, o, poolH, poolW]));
            ConvBatch.Forward(geometry, x.Span, wt.Span, bias is null ? default : bias.ContiguousNoGrad().Span, pooled.Span,
                default, relu: true, pool);
            return pooled;
        }
        var result = Uninitialized(Shape.Of([n, o, outH, outW]));
        var col = record && !geometry.Implicit ? Uninitialized(Shape.Of([groups, k, n * p])) : null;
        ConvBatch.Forward(geometry, x.Span, wt.Span, bias is null ? default : bias.ContiguousNoGrad().Span, result.Span,
            col is null ? default : col.Span, relu);
        return record ? result.WithGradFn(Conv2dBackward.Create(input, weight, bias, win, groups, col)) : result;
    }

    private static void CheckConvShapes(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups)
    {
        if (input.Rank != 4)
            throw new ArgumentException($"Conv2d: expected input of shape [N,C,H,W], got {input.Shape}");
        if (weight.Rank != 4)
            throw new ArgumentException($"Conv2d: expected weight of shape [O,C/groups,kh,kw], got {weight.Shape}");
        if (groups < 1 || input.Shape[1] % groups != 0 || weight.Shape[0] % groups != 0)
            throw new ArgumentException($"Conv2d: {groups} groups must divide the input channels ({input.Shape[1]}) and output channels ({weight.Shape[0]})");
        if (weight.Shape[1] * groups != input.Shape[1])
            throw new ArgumentException($"Conv2d: weight {weight.Shape} expects {weight.Shape[1] * groups} input channels, got input {input.Shape}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != weight.Shape[0]))
            throw new ArgumentException($"Conv2d: bias must have shape [{weight.Shape[0]}], got {bias.Shape}");
        if (win.OutputH(input.Shape[2]) < 1 || win.OutputW(input.Shape[3]) < 1)
            throw new ArgumentException(
                $"Conv2d: input {input.Shape} (with padding) is smaller than the {win.KernelH}x{win.KernelW} kernel (dilation {win.DilationH}x{win.DilationW})");
    }

    /// <summary>Max pooling over [N, C, H, W]; the gradient goes to each window's maximum (first one on ties).</summary>
    /// <remarks>
    /// With <paramref name="relu"/>, maxpool(relu(x)) as one op (computed as relu(maxpool(x)): the same numbers
    /// and gradients when the window has no padding, which the caller ensures; see <see cref="Conv.MaxPool"/>).
    /// </remarks>
    internal static Tensor MaxPool2d(Tensor input, Window2d win, bool relu = false)
    {
        var (n, c, h, w, outH, outW) = PoolShapes(input, win, "MaxPool2d");
        if (relu && win.HasPadding)
            throw new InvalidOperationException("MaxPool2d: a fused ReLU needs a pooling window without padding");
        var x = input.ContiguousNoGrad();
        var result = Uninitialized(Shape.Of([n, c, outH, outW]));
        bool record = ShouldRecord(input);
        // The indices are only for the backward pass.
        var argmax = record ? Uninitialized(result.Shape) : null;
        ConvBatch.MaxPool(x.Span, n, c, h, w, win, result.Span, argmax is null ? default : argmax.Span, relu);
        return record ? result.WithGradFn(MaxPool2dBackward.Create(input, argmax!, win.IsPool2x2, relu)) : result;
    }

    /// <summary>Average pooling over [N, C, H, W].</summary>
    internal static Tensor AvgPool2d(Tensor input, Window2d win, bool countIncludePad)
    {
        var (n, c, h, w, outH, outW) = PoolShapes(input, win, "AvgPool2d");
        var x = input.ContiguousNoGrad();
        var result = Make(Shape.Of([n, c, outH, outW]));
        int inPlane = c * h * w, outPlane = c * outH * outW;
        for (int s = 0; s < n; s++)
            Conv.AvgPool(x.Span.Slice(s * inPlane, inPlane), c, h, w, win, countIncludePad, result.Data.AsSpan(s * outPlane, outPlane));
        return ShouldRecord(input) ? result.WithGradFn(new AvgPool2dBackward(input, win, countIncludePad)) : result;
    }

    /// <summary>Adaptive average pooling of [N, C, H, W] to [N, C, outH, outW].</summary>
    internal static Tensor AdaptiveAvgPool2d(Tensor input, int outH, int outW)
    {
        if (input.Rank != 4) throw new ArgumentException($"AdaptiveAvgPool2d: expected input of shape [N,C,H,W], got {input.Shape}");
        if (outH < 1 || outW < 1) throw new ArgumentException($"AdaptiveAvgPool2d: output size must be positive, got {outH}x{outW}");
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        if (h == 0 || w == 0) throw new ArgumentException($"AdaptiveAvgPool2d: input {input.Shape} has an empty spatial dimension");
        var x = input.ContiguousNoGrad();
        var result = Make(Shape.Of([n, c, outH, outW]));
        AdaptivePool.Forward(x.Span, n * c, h, w, outH, outW, result.Data);
        return ShouldRecord(input) ? result.WithGradFn(new AdaptiveAvgPool2dBackward(input, outH, outW)) : result;
    }

    private static (int N, int C, int H, int W, int OutH, int OutW) PoolShapes(Tensor input, Window2d win, string op)
    {
        if (input.Rank != 4) throw new ArgumentException($"{op}: expected input of shape [N,C,H,W], got {input.Shape}");
        var (outH, outW) = PoolOutput(input.Shape, win, op);
        return (input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3], outH, outW);
    }

    private static (int OutH, int OutW) PoolOutput(Shape input, Window2d win, string op)
    {
        if (win.PadTop * 2 > win.KernelH || win.PadLeft * 2 > win.KernelW)
            throw new ArgumentException($"{op}: padding ({win.PadTop}x{win.PadLeft}) must be at most half the kernel ({win.KernelH}x{win.KernelW})");
        int outH = win.OutputH(input[2]), outW = win.OutputW(input[3]);
        if (outH < 1 || outW < 1)
            throw new ArgumentException($"{op}: input {input} is smaller than the {win.KernelH}x{win.KernelW} window");
        return (outH, outW);
    }
}
