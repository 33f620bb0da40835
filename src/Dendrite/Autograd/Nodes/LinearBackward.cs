using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// y = x·Wᵀ + b, fused for speed (the hottest op of an MLP): dx = g·W, dW = gᵀ·x (straight into W's
/// [out, in] layout, no transposed copy, and for a parameter straight into its .Grad, see
/// <see cref="Tensor.LeafGradTarget"/>), db = Σ_rows g. Each is one GEMM or one column sum.
/// </summary>
public sealed class LinearBackward : Node
{
    private Tensor input, weight;
    private Tensor? bias;
    private readonly Tensor?[] grads = new Tensor?[3]; // returned by every Backward call: the engine reads it at once

    public LinearBackward(Tensor input, Tensor weight, Tensor? bias) : base(input, weight, bias)
    {
        this.input = input;
        this.weight = weight;
        this.bias = bias;
    }

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static LinearBackward Create(Tensor input, Tensor weight, Tensor? bias)
    {
        if (NodePool<LinearBackward>.Take() is not { } node) return new LinearBackward(input, weight, bias);
        node.input = input;
        node.weight = weight;
        node.bias = bias;
        node.Reuse(input, weight, bias);
        return node;
    }

    private protected override void OnRetired()
    {
        input = weight = null!;
        bias = null;
        Array.Clear(grads);
        NodePool<LinearBackward>.Return(this);
    }

    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
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
            db = Tensor.Uninitialized(bias!.Shape);
            Reduce.Sum(g.Span, 1, n, outFeatures, db.Span);
        }
        grads[0] = dx;
        grads[1] = dw;
        grads[2] = db;
        return grads;
    }
}
