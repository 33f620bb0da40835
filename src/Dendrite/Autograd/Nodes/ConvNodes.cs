using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// Convolution as GEMM, backward: per sample and group, dW += dY·colᵀ, dcol = Wᵀ·dY folded back into dX by
/// col2im, and db = Σ dY over batch and space. The input gradient is skipped when the input needs none
/// (the first layer of a network), which saves the largest GEMM of the backward pass.
/// </summary>
internal sealed class Conv2dBackward(Tensor input, Tensor weight, Tensor? bias, Window2d win, int groups)
    : Node(input, weight, bias)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int n = input.Shape[0], c = input.Shape[1], h = input.Shape[2], w = input.Shape[3];
        int o = weight.Shape[0], cg = c / groups, og = o / groups;
        int outH = gradOutput.Shape[2], outW = gradOutput.Shape[3], p = outH * outW, k = cg * win.KernelH * win.KernelW;
        var x = input.ContiguousNoGrad();
        var wt = weight.ContiguousNoGrad();
        var g = gradOutput.ContiguousNoGrad();
        Tensor? dx = NeedsGrad(0) ? Tensor.Zeros(input.Shape) : null;
        Tensor? dw = NeedsGrad(1) ? Tensor.Zeros(weight.Shape) : null;
        var col = new float[k * p];
        for (int s = 0; s < n; s++)
        {
            for (int gi = 0; gi < groups; gi++)
            {
                var dy = g.Span.Slice((s * o + gi * og) * p, og * p);
                if (dw is not null)
                {
                    Conv.Im2Col(x.Span.Slice((s * c + gi * cg) * h * w, cg * h * w), cg, h, w, win, col);
                    Gemm.Sgemm(false, true, og, k, p, 1f, dy, p, col, p, 1f, dw.Span.Slice(gi * og * k, og * k), k);
                }
                if (dx is not null)
                {
                    Gemm.Sgemm(true, false, k, p, og, 1f, wt.Span.Slice(gi * og * k), k, dy, p, 0f, col, p);
                    Conv.Col2Im(col, cg, h, w, win, dx.Span.Slice((s * c + gi * cg) * h * w, cg * h * w));
                }
            }
        }
        Tensor? db = NeedsGrad(2) ? g.Sum([0, 2, 3]) : null;
        return [dx, dw, db];
    }
}

/// <summary>Max pooling: each output's gradient goes to the input element that was the window's maximum.</summary>
public sealed class MaxPool2dBackward(Tensor input, int[] argmax, int outPlane) : Node(input)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int planes = input.Shape[0] * input.Shape[1], inPlane = input.Shape[2] * input.Shape[3];
        var g = gradOutput.ContiguousNoGrad().ToArray();
        var dx = Tensor.Zeros(input.Shape);
        var d = dx.Span;
        for (int pl = 0; pl < planes; pl++)
            for (int i = 0; i < outPlane; i++)
            {
                int at = argmax[pl * outPlane + i];
                if (at >= 0) d[pl * inPlane + at] += g[pl * outPlane + i];
            }
        return [dx];
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
