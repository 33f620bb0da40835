using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// What <see cref="BatchNormBackward"/> needs from the forward pass: the per-channel mean, 1/√(σ² + ε), and
/// a = γ·invstd, b = β − μ·a (the ReLU's mask is recomputed from x·a + b); whether the statistics were the
/// batch's (so that they depend on x) and whether a ReLU followed.
/// </summary>
internal sealed record BatchNormSaved(Tensor Mean, Tensor InvStd, Tensor A, Tensor B, bool BatchStatistics, bool Relu);

/// <summary>
/// Batch normalisation (and the ReLU fused after it): with g = dY masked by the ReLU and x̂ = (x − μ)·invstd,
/// dβ = Σg, dγ = Σg·x̂ and, with batch statistics, dx = a·(g − mean(g) − x̂·mean(g·x̂)), else dx = a·g; the
/// sums run over N and the spatial axes, two passes over x and dY in all (<see cref="Normalization.Backward"/>).
/// </summary>
internal sealed class BatchNormBackward(Tensor input, Tensor? weight, Tensor? bias, BatchNormSaved saved) : Node(input, weight, bias)
{
    protected internal override Tensor?[] Backward(Tensor gradOutput)
    {
        int n = input.Shape[0], c = input.Shape[1], s = n * c == 0 ? 0 : input.Numel / (n * c);
        var x = input.ContiguousNoGrad();
        var g = gradOutput.ContiguousNoGrad();
        var dx = NeedsGrad(0) ? Tensor.Uninitialized(input.Shape) : null;
        var dGamma = weight is not null && NeedsGrad(1) ? Tensor.Uninitialized(Shape.Of([c])) : null;
        var dBeta = bias is not null && NeedsGrad(2) ? Tensor.Uninitialized(Shape.Of([c])) : null;
        Normalization.Backward(x.Span, g.Span, n, c, s, saved.A.Span, saved.B.Span, saved.Mean.Span, saved.InvStd.Span,
            saved.Relu, saved.BatchStatistics, dx is null ? default : dx.Span, dGamma is null ? default : dGamma.Span,
            dBeta is null ? default : dBeta.Span);
        return [dx, dGamma, dBeta];
    }
}
