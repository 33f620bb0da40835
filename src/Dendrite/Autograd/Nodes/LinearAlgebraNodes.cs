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
        Tensor? dx = NeedsGrad(0) ? Tensor.Uninitialized(input.Shape) : null, dw = null;
        Tensor? db = NeedsGrad(2) ? Tensor.Uninitialized(Input(2)!.Shape) : null;
        Tensor? w = dx is null ? null : weight.ContiguousNoGrad(), x = null, dwTarget = null;
        float beta = 0f;
        if (NeedsGrad(1))
        {
            // A weight that is a parameter gets dW = dYᵀ·X written (or added) straight into its .Grad.
            dwTarget = weight.LeafGradTarget(out beta);
            if (dwTarget is null) (dw, beta) = (dwTarget = Tensor.Uninitialized(weight.Shape), 0f);
            x = input.ContiguousNoGrad();
        }
        // dX, dW and db side by side where two cores make that pay (LinearGradients says when).
        LinearGradients.Compute(n, inFeatures, outFeatures, g.Span, x is null ? default : x.Span, w is null ? default : w.Span,
            dx is null ? default : dx.Span, dwTarget is null ? default : dwTarget.Span, beta, db is null ? default : db.Span);
        return Gradients(dx, dw, db);
    }
}
