using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

// Fused loss nodes, for numerical stability rather than speed: composed from log/exp/abs primitives these
// losses would take log 0 (BCE at x = 0 or 1) or pick a one-sided derivative at |x| = 0 (BCE with logits).
// Input and target have the same shape (the loss functions check it).

/// <summary>Binary cross-entropy on probabilities: ∂/∂x = (x − t)/max(x(1−x), 1e-12), ∂/∂t = ln(1−x) − ln x (both logs clamped at −100).</summary>
public sealed class BinaryCrossEntropyBackward(Tensor x, Tensor t) : Node(x, t)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
    [
        NeedsGrad(0) ? g * Tensor.Zip(x, t, default(BceGradOp), Name) : null,
        NeedsGrad(1) ? g * Tensor.Zip(x, t, default(BceTargetGradOp), Name) : null,
    ];
}

/// <summary>Binary cross-entropy on logits: ∂/∂x = σ(x) − t, ∂/∂t = −x.</summary>
public sealed class BinaryCrossEntropyWithLogitsBackward(Tensor x, Tensor t) : Node(x, t)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
    [
        NeedsGrad(0) ? g * Tensor.Zip(x, t, default(SigmoidMinusTargetOp), Name) : null,
        NeedsGrad(1) ? -(g * x) : null,
    ];
}

/// <summary>
/// Softmax + cross-entropy with class-index targets, fused: the gradient with respect to the logits is
/// (softmax − smoothed one-hot target) times the weights, computed in one pass from the saved log-probabilities
/// instead of through a gather, its scatter and a separate log-softmax backward.
/// </summary>
public sealed class CrossEntropyBackward(Tensor input, Tensor logp, int[] labels, float[]? weight, int ignoreIndex, float smoothing,
    float scale, bool reduced) : Node(input)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var (outer, classes, inner) = logp.AxisBlock(1);
        var grad = g.ContiguousNoGrad();
        var dx = Tensor.Zeros(input.Shape);
        Kernels.CrossEntropy.Backward(logp.Span, outer, classes, inner, labels, weight, ignoreIndex, smoothing,
            grad.Span, reduced ? 0 : 1, scale, dx.Span);
        return [dx];
    }
}
