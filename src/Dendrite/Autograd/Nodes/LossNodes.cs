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
