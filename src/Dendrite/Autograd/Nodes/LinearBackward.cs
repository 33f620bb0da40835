using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// y = x·Wᵀ + b, fused for speed (the hottest op of an MLP): dx = g·W, dW = gᵀ·x (straight into W's
/// [out, in] layout, no transposed copy), db = Σ_rows g. Each is one GEMM or one column sum.
/// </summary>
public sealed class LinearBackward(Tensor input, Tensor weight, Tensor? bias) : Node(input, weight, bias)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int n = input.Shape[0], inFeatures = input.Shape[1], outFeatures = weight.Shape[0];
        var g = gradOutput.ContiguousNoGrad();
        Tensor? dx = null, dw = null, db = null;
        if (NeedsGrad(0))
        {
            dx = Tensor.Zeros(input.Shape);
            var w = weight.ContiguousNoGrad();
            Gemm.Sgemm(false, false, n, inFeatures, outFeatures, 1f, g.Span, outFeatures, w.Span, inFeatures,
                0f, dx.Span, inFeatures);
        }
        if (NeedsGrad(1))
        {
            dw = Tensor.Zeros(weight.Shape);
            var x = input.ContiguousNoGrad();
            Gemm.Sgemm(true, false, outFeatures, inFeatures, n, 1f, g.Span, outFeatures, x.Span, inFeatures,
                0f, dw.Span, inFeatures);
        }
        if (NeedsGrad(2))
        {
            db = Tensor.Zeros(bias!.Shape);
            Reduce.Sum(g.Span, 1, n, outFeatures, db.Span);
        }
        return [dx, dw, db];
    }
}
