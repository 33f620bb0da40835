using System.Diagnostics.CodeAnalysis;
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
public sealed class CrossEntropyBackward : ReusableNode<CrossEntropyBackward>
{
    private Tensor logp;
    private int[] labels;
    private float[]? weight;
    private int ignoreIndex;
    private float smoothing, scale;
    private bool reduced;

    public CrossEntropyBackward(Tensor input, Tensor logp, int[] labels, float[]? weight, int ignoreIndex, float smoothing,
        float scale, bool reduced) : base(input) => Save(logp, labels, weight, ignoreIndex, smoothing, scale, reduced);

    /// <summary>A retired node re-armed for a new op, or a new one.</summary>
    internal static CrossEntropyBackward Create(Tensor input, Tensor logp, int[] labels, float[]? weight, int ignoreIndex,
        float smoothing, float scale, bool reduced) =>
        Take(input)?.Save(logp, labels, weight, ignoreIndex, smoothing, scale, reduced)
        ?? new CrossEntropyBackward(input, logp, labels, weight, ignoreIndex, smoothing, scale, reduced);

    [MemberNotNull(nameof(logp), nameof(labels))]
    private CrossEntropyBackward Save(Tensor logp, int[] labels, float[]? weight, int ignoreIndex, float smoothing, float scale,
        bool reduced)
    {
        this.logp = logp;
        this.labels = labels;
        this.weight = weight;
        this.ignoreIndex = ignoreIndex;
        this.smoothing = smoothing;
        this.scale = scale;
        this.reduced = reduced;
        return this;
    }

    /// <summary>
    /// The labels array of the last retired node on this thread, for the next loss of the same batch size
    /// to fill (a node owns its labels until it is retired).
    /// </summary>
    [ThreadStatic] internal static int[]? SpareLabels;

    private protected override void DropSaved()
    {
        SpareLabels = labels;
        logp = null!;
        labels = null!;
        weight = null;
    }

    protected internal override Tensor?[] Backward(Tensor g)
    {
        var (outer, classes, inner) = logp.AxisBlock(1);
        var grad = g.ContiguousNoGrad();
        var dx = Tensor.Zeros(Input(0)!.Shape);
        Kernels.CrossEntropy.Backward(logp.Span, outer, classes, inner, labels, weight, ignoreIndex, smoothing,
            grad.Span, reduced ? 0 : 1, scale, dx.Span);
        return Gradients(dx);
    }
}
