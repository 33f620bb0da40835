using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// Convolution as GEMM, backward, for the whole batch at once: with dY_g gathered to [og, N·P] and the
/// forward pass's col_g [k, N·P], dW_g = dY_g·col_gᵀ and dcol = W_gᵀ·dY_g, folded back into dX by col2im;
/// db = Σ dY over batch and space. The input gradient is skipped when the input needs none (the first
/// layer of a network), which saves the largest GEMM of the backward pass.
/// </summary>
internal sealed class Conv2dBackward : Node
{
    private Tensor input, weight, col;
    private Tensor? bias;
    private Window2d win;
    private int groups;
    private readonly Tensor?[] grads = new Tensor?[3]; // returned by every Backward call: the engine reads it at once

    private Conv2dBackward(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups, Tensor col) : base(input, weight, bias)
    {
        this.input = input;
        this.weight = weight;
        this.bias = bias;
        this.win = win;
        this.groups = groups;
        this.col = col;
    }

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static Conv2dBackward Create(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups, Tensor col)
    {
        if (NodePool<Conv2dBackward>.Take() is not { } node) return new Conv2dBackward(input, weight, bias, win, groups, col);
        node.input = input;
        node.weight = weight;
        node.bias = bias;
        node.win = win;
        node.groups = groups;
        node.col = col;
        node.Reuse(input, weight, bias);
        return node;
    }

    private protected override void OnRetired()
    {
        input = weight = col = null!;
        bias = null;
        Array.Clear(grads);
        NodePool<Conv2dBackward>.Return(this);
    }

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], cg = c / groups, og = o / groups;
        int p = gradOutput.Shape[2] * gradOutput.Shape[3], k = cg * win.KernelH * win.KernelW;
        var wt = weight.ContiguousNoGrad();
        var g = gradOutput.ContiguousNoGrad();
        Tensor? dx = NeedsGrad(0) ? Tensor.Zeros(input.Shape) : null;
        Tensor? dw = NeedsGrad(1) ? Tensor.Zeros(weight.Shape) : null;
        Tensor? db = NeedsGrad(2) ? Tensor.Zeros(bias!.Shape) : null;
        var dy = Tensor.Zeros(Shape.Of([og, n * p]));
        var dcol = dx is null ? null : Tensor.Zeros(Shape.Of([k, n * p]));
        for (int gi = 0; gi < groups; gi++)
        {
            Conv.ScatterChannels(dy.Span, og, n, p, g.Span, o, gi * og, gather: true);
            // db is the row sums of the gathered dY_g: the same numbers, in the same order, as summing dY
            // over batch and space, without a permuted copy.
            if (db is not null) Reduce.Sum(dy.Span, og, n * p, 1, db.Span.Slice(gi * og, og));
            var colG = col.Span.Slice(gi * k * n * p, k * n * p);
            if (dw is not null)
                Gemm.Sgemm(false, true, og, k, n * p, 1f, dy.Span, n * p, colG, n * p, 0f, dw.Span.Slice(gi * og * k, og * k), k);
            if (dx is not null)
            {
                Gemm.Sgemm(true, false, k, n * p, og, 1f, wt.Span.Slice(gi * og * k), k, dy.Span, n * p, 0f, dcol!.Span, n * p);
                for (int s = 0; s < n; s++)
                    Conv.Col2Im(dcol.Span[(s * p)..], cg, h, w, win, dx.Span.Slice((s * c + gi * cg) * h * w, cg * h * w), n * p);
            }
        }
        grads[0] = dx;
        grads[1] = dw;
        grads[2] = db;
        return grads;
    }
}

/// <summary>Max pooling: each output's gradient goes to the input element that was the window's maximum.</summary>
public sealed class MaxPool2dBackward : Node
{
    private Tensor input, argmax;
    private int outPlane;
    private readonly Tensor?[] grads = new Tensor?[1]; // returned by every Backward call: the engine reads it at once

    public MaxPool2dBackward(Tensor input, Tensor argmax, int outPlane) : base(input)
    {
        this.input = input;
        this.argmax = argmax;
        this.outPlane = outPlane;
    }

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static MaxPool2dBackward Create(Tensor input, Tensor argmax, int outPlane)
    {
        if (NodePool<MaxPool2dBackward>.Take() is not { } node) return new MaxPool2dBackward(input, argmax, outPlane);
        node.input = input;
        node.argmax = argmax;
        node.outPlane = outPlane;
        node.Reuse(input);
        return node;
    }

    private protected override void OnRetired()
    {
        input = argmax = null!;
        grads[0] = null;
        NodePool<MaxPool2dBackward>.Return(this);
    }

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int planes = input.Shape[0] * input.Shape[1], inPlane = input.Shape[2] * input.Shape[3];
        var g = gradOutput.ContiguousNoGrad();
        var dx = Tensor.Zeros(input.Shape);
        Conv.MaxPoolBackward(g.Span, argmax.Span, planes, outPlane, inPlane, dx.Span);
        grads[0] = dx;
        return grads;
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
