using System.Diagnostics.CodeAnalysis;
using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// Convolution as GEMM, backward. With the forward pass's im2col matrix col_g [k, N·P] (strides above 1):
/// dY gathered to [O, N·P], dW_g = dY_g·col_gᵀ (one GEMM over the batch) and db = Σ dY over batch and
/// space. With stride 1 there is no col: dW sums, image by image, dY times the padded input read through
/// its tap offsets (<see cref="ConvBatch.WeightGradImplicit"/>), and db sums dY in place. dX is the
/// convolution of dY with the flipped kernel, or W_gᵀ·dY folded back by col2im image by image
/// (<see cref="ConvBatch.BackwardInput"/>). The input gradient is skipped when the input needs none (the
/// first layer of a network), which saves the largest GEMM of the backward pass.
/// </summary>
internal sealed class Conv2dBackward : ReusableNode<Conv2dBackward>
{
    private Tensor? col;
    private Window2d win;
    private int groups;

    private Conv2dBackward(Tensor input, Tensor weight, Tensor? bias) : base(input, weight, bias)
    {
    }

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static Conv2dBackward Create(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups, Tensor? col) =>
        (Take(input, weight, bias) ?? new Conv2dBackward(input, weight, bias)).Save(win, groups, col);

    private Conv2dBackward Save(Window2d win, int groups, Tensor? col)
    {
        this.win = win;
        this.groups = groups;
        this.col = col;
        return this;
    }

    private protected override void DropSaved() => col = null;

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        Tensor input = Input(0)!, weight = Input(1)!;
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        var geometry = new ConvGeometry(n, c, h, w, weight.Shape[0], groups, win);
        int o = geometry.O, p = geometry.P;
        var wt = weight.ContiguousNoGrad();
        var g = gradOutput.ContiguousNoGrad();
        Tensor? dx = null, dw = null, db = null;
        if (col is null && (NeedsGrad(1) || NeedsGrad(2)))
        {
            if (NeedsGrad(1))
            {
                dw = Tensor.Uninitialized(weight.Shape);
                var partials = Tensor.Uninitialized(new Shape(ConvBatch.WeightGradScratch(geometry)));
                ConvBatch.WeightGradImplicit(geometry, input.ContiguousNoGrad().Span, g.Span, partials.Span, dw.Span);
            }
            if (NeedsGrad(2))
            {
                db = Tensor.Uninitialized(new Shape(o));
                ConvBatch.ChannelSums(g.Span, n, o, p, db.Span);
            }
        }
        else if (NeedsGrad(1) || NeedsGrad(2))
        {
            // dY as [O, N·P]: dW_g = dY_g · col_gᵀ is then one GEMM over the batch, and db its row sums.
            var dyT = Tensor.Uninitialized(new Shape(o, n * p));
            ConvBatch.GatherChannels(g.Span, n, o, p, dyT.Span);
            if (NeedsGrad(1))
            {
                dw = Tensor.Uninitialized(weight.Shape);
                ConvBatch.WeightGrad(geometry, dyT.Span, col!.Span, dw.Span);
            }
            if (NeedsGrad(2))
            {
                db = Tensor.Uninitialized(new Shape(o));
                ConvBatch.RowSums(dyT.Span, o, n * p, db.Span);
            }
        }
        if (NeedsGrad(0))
        {
            dx = Tensor.Uninitialized(input.Shape);
            ConvBatch.BackwardInput(geometry, g.Span, wt.Span, dx.Span);
        }
        return Gradients(dx, dw, db);
    }
}

/// <summary>Max pooling: each output's gradient goes to the input element that was the window's maximum.</summary>
public sealed class MaxPool2dBackward : ReusableNode<MaxPool2dBackward>
{
    private Tensor argmax;
    private bool tiled, relu;

    internal MaxPool2dBackward(Tensor input, Tensor argmax, bool tiled, bool relu) : base(input) => Save(argmax, tiled, relu);

    /// <summary>
    /// A retired node re-armed for a new op, or a new one; <paramref name="tiled"/>: the window is 2×2 with stride
    /// 2 (<see cref="Window2d.IsPool2x2"/>), whose backward writes every input element; <paramref name="relu"/>: a
    /// ReLU was fused in (its mask is in the indices, see <see cref="Conv.MaxPool"/>; only the name shows it).
    /// </summary>
    internal static MaxPool2dBackward Create(Tensor input, Tensor argmax, bool tiled, bool relu) =>
        Take(input)?.Save(argmax, tiled, relu) ?? new MaxPool2dBackward(input, argmax, tiled, relu);

    [MemberNotNull(nameof(argmax))]
    private MaxPool2dBackward Save(Tensor argmax, bool tiled, bool relu)
    {
        this.argmax = argmax;
        this.tiled = tiled;
        this.relu = relu;
        return this;
    }

    /// <summary>With a fused ReLU, <c>ReluMaxPool2dBackward</c>, so a drawn graph shows where the ReLU went.</summary>
    public override string Name => relu ? "ReluMaxPool2dBackward" : "MaxPool2dBackward";

    private protected override void DropSaved() => argmax = null!;

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        var input = Input(0)!;
        var g = gradOutput.ContiguousNoGrad();
        // The tiled kernel writes every element; the scatter adds into zeros.
        var dx = tiled ? Tensor.Uninitialized(input.Shape) : Tensor.Zeros(input.Shape);
        ConvBatch.MaxPoolBackward(g.Span, argmax.Span, input.Shape[0], input.Shape[1], input.Shape[2], input.Shape[3],
            argmax.Shape[2] * argmax.Shape[3], tiled, dx.Span);
        return Gradients(dx);
    }
}

/// <summary>Average pooling: each output's gradient is spread evenly over its window.</summary>
internal sealed class AvgPool2dBackward(Tensor input, Window2d win, bool countIncludePad) : Node(input)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int outPlane = c * gradOutput.Shape[2] * gradOutput.Shape[3];
        var g = gradOutput.ContiguousNoGrad();
        var dx = Tensor.Zeros(input.Shape);
        for (int s = 0; s < n; s++)
            Conv.AvgPoolBackward(g.Span.Slice(s * outPlane, outPlane), c, h, w, win, countIncludePad, dx.Span.Slice(s * c * h * w, c * h * w));
        return [dx];
    }
}

/// <summary>Adaptive average pooling: each output's gradient is spread evenly over its (variable) window.</summary>
public sealed class AdaptiveAvgPool2dBackward(Tensor input, int outH, int outW) : Node(input)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        var g = gradOutput.ContiguousNoGrad();
        var dx = Tensor.Zeros(input.Shape);
        AdaptivePool.Backward(g.Span, input.Shape[0] * input.Shape[1], input.Shape[2], input.Shape[3], outH, outW, dx.Span);
        return [dx];
    }
}
