using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC (transposed views, so GEMM reads them in place), summed over broadcast batch dimensions.</summary>
public sealed class MatMulBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? Tensor.MatMul(g, b.Transpose(-1, -2)).SumToShape(a.Shape) : null,
         NeedsGrad(1) ? Tensor.MatMul(a.Transpose(-1, -2), g).SumToShape(b.Shape) : null];
}

/// <summary>
/// y = x·Wᵀ + b, fused for speed (the hottest op of an MLP): dx = g·W, dW = gᵀ·x (straight into W's
/// [out, in] layout, no transposed copy, and for a parameter straight into its .Grad, see
/// <see cref="Tensor.LeafGradTarget"/>), db = Σ_rows g. Each is one GEMM or one column sum.
/// </summary>
public sealed class LinearBackward : ReusableNode<LinearBackward>
{
    public LinearBackward(Tensor input, Tensor weight, Tensor? bias) : base(input, weight, bias)
    {
    }

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static LinearBackward Create(Tensor input, Tensor weight, Tensor? bias) =>
        Take(input, weight, bias) ?? new LinearBackward(input, weight, bias);

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        Tensor input = Input(0)!, weight = Input(1)!;
        int n = input.Shape[0], inFeatures = input.Shape[1], outFeatures = weight.Shape[0];
        var g = gradOutput.ContiguousNoGrad();
        Tensor? dx = null, dw = null, db = null;
        if (NeedsGrad(0))
        {
            dx = Tensor.Uninitialized(input.Shape);
            var w = weight.ContiguousNoGrad();
            Gemm.Sgemm(false, false, n, inFeatures, outFeatures, 1f, g.Span, outFeatures, w.Span, inFeatures,
                0f, dx.Span, inFeatures);
        }
        if (NeedsGrad(1))
        {
            // A weight that is a parameter gets dW = dYᵀ·X written (or added) straight into its .Grad.
            var target = weight.LeafGradTarget(out float beta);
            if (target is null) (dw, beta) = (Tensor.Uninitialized(weight.Shape), 0f);
            var x = input.ContiguousNoGrad();
            Gemm.Sgemm(true, false, outFeatures, inFeatures, n, 1f, g.Span, outFeatures, x.Span, inFeatures,
                beta, (target ?? dw!).Span, inFeatures);
        }
        if (NeedsGrad(2))
        {
            db = Tensor.Uninitialized(Input(2)!.Shape);
            Reduce.Sum(g.Span, 1, n, outFeatures, db.Span);
        }
        return Gradients(dx, dw, db);
    }
}
