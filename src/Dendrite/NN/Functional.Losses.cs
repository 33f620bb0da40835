using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;
using Dendrite.NN.Losses;
using Dendrite.Tensors;

namespace Dendrite.NN;

// The element-wise losses and the one reduction they share; the loss modules in Losses/ call these. All
// follow PyTorch's definitions and its `reduction` semantics, and errors name the loss by its module name
// (`MseLoss: ...`). Unlike PyTorch, element-wise losses do not broadcast a target of a different shape:
// that is almost always a bug (a [N,1] prediction against a [N] target silently becomes an [N,N] loss), so
// it is an error.
public static partial class Functional
{
    /// <summary>Mean squared error: ℓᵢ = (xᵢ − yᵢ)². Input and target have the same (any) shape.</summary>
    public static Tensor MseLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape(input, target, "MseLoss");
        return Reduce((input - target).Square(), reduction);
    }

    /// <summary>Mean absolute error: ℓᵢ = |xᵢ − yᵢ|. Input and target have the same (any) shape.</summary>
    public static Tensor L1Loss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        SameShape(input, target, "L1Loss");
        return Reduce((input - target).Abs(), reduction);
    }

    /// <summary>
    /// Huber loss with threshold δ (default 1, must be positive): with d = x − y,
    /// ℓ = ½d² where |d| &lt; δ, else δ(|d| − ½δ). Quadratic near zero, linear (robust to outliers) beyond δ.
    /// </summary>
    public static Tensor HuberLoss(Tensor input, Tensor target, float delta = 1f, Reduction reduction = Reduction.Mean)
    {
        if (!(delta > 0) || float.IsInfinity(delta))
            throw new ArgumentException($"HuberLoss: delta must be positive, got {delta}");
        SameShape(input, target, "HuberLoss");
        var d = input - target;
        var ad = d.Abs();
        return Reduce(Tensor.Where(ad.Detach().Lt(delta), 0.5f * d.Square(), delta * (ad - 0.5f * delta)), reduction);
    }

    /// <summary>
    /// Smooth L1 loss with threshold β (default 1, non-negative): with d = x − y, ℓ = ½d²/β where |d| &lt; β,
    /// else |d| − ½β. β = 0 gives the L1 loss. Equals the Huber loss divided by β.
    /// </summary>
    public static Tensor SmoothL1Loss(Tensor input, Tensor target, float beta = 1f, Reduction reduction = Reduction.Mean)
    {
        if (!(beta >= 0) || float.IsInfinity(beta))
            throw new ArgumentException($"SmoothL1Loss: beta must be non-negative, got {beta}");
        SameShape(input, target, "SmoothL1Loss");
        var d = input - target;
        var ad = d.Abs();
        if (beta == 0) return Reduce(ad, reduction);
        return Reduce(Tensor.Where(ad.Detach().Lt(beta), d.Square() * (0.5f / beta), ad - 0.5f * beta), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on probabilities x ∈ [0,1] against targets y ∈ [0,1] (same shape):
    /// ℓᵢ = −wᵢ·(yᵢ·max(ln xᵢ, −100) + (1−yᵢ)·max(ln(1−xᵢ), −100)). The log clamp at −100 is PyTorch's.
    /// <paramref name="weight"/> (optional) broadcasts to the input's shape. Prefer
    /// <see cref="BinaryCrossEntropyWithLogits"/> on raw scores: it is stable where sigmoid saturates.
    /// </summary>
    public static Tensor BinaryCrossEntropy(Tensor input, Tensor target, Tensor? weight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BceLoss";
        SameShape(input, target, op);
        CheckRange(input, 0f, 1f, op, "input probabilities");
        CheckRange(target, 0f, 1f, op, "targets");
        var perElement = Tensor.Zip(input, target, default(BceOp), op);
        if (Tensor.ShouldRecord(input, target))
            perElement = perElement.WithGradFn(new BinaryCrossEntropyBackward(input, target));
        return Reduce(ApplyWeight(perElement, weight, op), reduction);
    }

    /// <summary>
    /// Binary cross-entropy on logits x (any real) against targets y ∈ [0,1] (same shape), computed stably:
    /// without <paramref name="posWeight"/>, ℓᵢ = wᵢ·(max(xᵢ,0) − xᵢyᵢ + ln(1 + e^−|xᵢ|)); with it (p, one per
    /// class on the last axis, broadcast), ℓᵢ = wᵢ·((1−yᵢ)xᵢ + (1 + (p−1)yᵢ)·ln(1 + e^−xᵢ)), which weighs
    /// positive examples by p. Use with K independent labels (multi-label classification) on [N,K] scores.
    /// </summary>
    public static Tensor BinaryCrossEntropyWithLogits(Tensor input, Tensor target, Tensor? weight = null,
        Tensor? posWeight = null, Reduction reduction = Reduction.Mean)
    {
        const string op = "BceWithLogitsLoss";
        SameShape(input, target, op);
        CheckRange(target, 0f, 1f, op, "targets");
        Tensor perElement;
        if (posWeight is null)
        {
            perElement = Logits(input, target);
        }
        else
        {
            CheckBroadcastsTo(posWeight, input, op, "posWeight");
            // ln(1 + e^−x) is the logits loss against a target of 1, so the stable kernel serves both terms.
            var softplusNeg = Logits(input, Tensor.OnesLike(input));
            var logWeight = 1f + (posWeight - 1f) * target;
            perElement = (1f - target) * input + logWeight * softplusNeg;
        }
        return Reduce(ApplyWeight(perElement, weight, op), reduction);

        static Tensor Logits(Tensor x, Tensor t)
        {
            var result = Tensor.Zip(x, t, default(BceWithLogitsOp), op);
            return Tensor.ShouldRecord(x, t) ? result.WithGradFn(new BinaryCrossEntropyWithLogitsBackward(x, t)) : result;
        }
    }

    /// <summary>
    /// Binary hinge loss (the SVM loss) on scores x against labels y ∈ {−1, +1} (same shape):
    /// ℓᵢ = max(0, 1 − yᵢ·xᵢ). Labels are checked to be exactly ±1.
    /// </summary>
    public static Tensor HingeLoss(Tensor input, Tensor target, Reduction reduction = Reduction.Mean)
    {
        const string op = "HingeLoss";
        SameShape(input, target, op);
        var values = target.ToArray();
        for (int i = 0; i < values.Length; i++)
            if (values[i] != 1f && values[i] != -1f)
                throw new ArgumentException($"{op}: labels must be -1 or +1, got {values[i]} at target element {i}");
        return Reduce((1f - target * input).Relu(), reduction);
    }

    /// <summary>
    /// Applies a loss's <paramref name="reduction"/> to its per-element values, as PyTorch's
    /// <c>reduction</c> argument does: <see cref="Reduction.Mean"/> (the average), <see cref="Reduction.Sum"/>
    /// or <see cref="Reduction.None"/> (the values as they are). The one place the switch lives; a custom
    /// loss calls it too.
    /// </summary>
    public static Tensor Reduce(Tensor perElement, Reduction reduction) => Reduce(perElement, reduction, meanDivisor: null);

    /// <summary>
    /// <see cref="Reduce(Tensor, Reduction)"/> with the mean taken as sum / <paramref name="meanDivisor"/>
    /// when one is given: PyTorch's weighted mean divides by the sum of the weights of the counted elements
    /// (0/0 = NaN when every element is ignored, as in PyTorch).
    /// </summary>
    internal static Tensor Reduce(Tensor perElement, Reduction reduction, double? meanDivisor)
    {
        ArgumentNullException.ThrowIfNull(perElement);
        return reduction switch
        {
            Reduction.Mean => meanDivisor is { } divisor ? perElement.Sum() / (float)divisor : perElement.Mean(),
            Reduction.Sum => perElement.Sum(),
            Reduction.None => perElement,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown reduction"),
        };
    }

    private static void SameShape(Tensor input, Tensor target, string op)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Shape != target.Shape)
            throw new ArgumentException($"{op}: input shape {input.Shape} and target shape {target.Shape} differ");
    }

    private static void CheckRange(Tensor t, float lo, float hi, string op, string what)
    {
        var values = t.ToArray();
        for (int i = 0; i < values.Length; i++)
            if (!(values[i] >= lo && values[i] <= hi))
                throw new ArgumentException($"{op}: {what} must be in [{lo}, {hi}], got {values[i]} at element {i}");
    }

    private static void CheckBroadcastsTo(Tensor t, Tensor input, string op, string what)
    {
        bool fits = t.Rank <= input.Rank;
        for (int d = 1; fits && d <= t.Rank; d++)
            fits = t.Shape[t.Rank - d] == 1 || t.Shape[t.Rank - d] == input.Shape[input.Rank - d];
        if (!fits)
            throw new ArgumentException($"{op}: {what} of shape {t.Shape} does not broadcast to the input shape {input.Shape}");
    }

    private static Tensor ApplyWeight(Tensor perElement, Tensor? weight, string op)
    {
        if (weight is null) return perElement;
        CheckBroadcastsTo(weight, perElement, op, "weight");
        return perElement * weight;
    }
}
