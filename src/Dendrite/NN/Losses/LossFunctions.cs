using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// The loss functions, as in <c>torch.nn.functional</c>: the one place where each loss's math lives (the
/// loss modules call these). All follow PyTorch's definitions and its <c>reduction</c> semantics. Errors
/// name the loss by its module name (<c>MseLoss: ...</c>).
/// </summary>
/// <remarks>
/// Class labels are float tensors holding whole numbers (Dendrite has no integer dtype); they are checked
/// before use, and a bad label is reported with its value, its position and the number of classes.
/// Unlike PyTorch, element-wise losses do not broadcast a target of a different shape: that is almost
/// always a bug (a [N,1] prediction against a [N] target silently becomes an [N,N] loss), so it is an error.
/// </remarks>
public static class LossFunctions
{
    /// <summary>PyTorch's default <c>ignore_index</c>: no real class has this label.</summary>
    public const int DefaultIgnoreIndex = -100;

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
    /// Cross-entropy of logits (raw scores) against classes, like <c>torch.nn.functional.cross_entropy</c>.
    /// Input [N,C], [N,C,d₁,...] (classes on axis 1) or unbatched [C]. Target either class indices of shape
    /// [N] / [N,d₁,...] / scalar (whole numbers in [0,C), or <paramref name="ignoreIndex"/>), or class
    /// probabilities of the input's own shape. With class indices and ε = <paramref name="labelSmoothing"/>:
    /// ℓₙ = (1−ε)·(−w[yₙ]·log pₙ[yₙ]) + (ε/C)·(−Σ꜀ w[c]·log pₙ[c]); mean reduction divides by Σₙ w[yₙ] over
    /// non-ignored elements (PyTorch's weighted mean). With probabilities q:
    /// ℓₙ = −Σ꜀ w[c]·q̃ₙ[c]·log pₙ[c], q̃ = (1−ε)q + ε/C, and the mean divides by the number of samples.
    /// log p is the stable log-softmax over axis 1; with class indices, softmax and loss share one fused
    /// backward pass (gradient (softmax − smoothed one-hot)·weights).
    /// </summary>
    /// <param name="input">Logits [N,C], [N,C,d₁,...] or [C].</param>
    /// <param name="target">Class indices (input shape without axis 1) or probabilities (input's shape).</param>
    /// <param name="weight">Optional per-class weights, shape [C].</param>
    /// <param name="ignoreIndex">Label whose elements contribute nothing (class-index targets only); default −100.</param>
    /// <param name="reduction">Mean (default), Sum, or None (per-sample losses, the target's shape).</param>
    /// <param name="labelSmoothing">ε ∈ [0,1], default 0.</param>
    public static Tensor CrossEntropy(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = DefaultIgnoreIndex,
        Reduction reduction = Reduction.Mean, float labelSmoothing = 0f)
    {
        const string op = "CrossEntropyLoss";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        CheckLabelSmoothing(labelSmoothing, op);
        if (input.Rank == 1) return UnbatchedCrossEntropy(input, target, weight, ignoreIndex, reduction, labelSmoothing);
        CheckClassInput(input, op);
        int classes = input.Shape[1];
        CheckClassWeight(weight, classes, op);
        if (target.Shape == input.Shape) return ProbabilityCrossEntropy(input.LogSoftmax(1), target, weight, reduction, labelSmoothing);

        var labels = Labels(input, target, classes, ignoreIndex, op);
        var classWeights = weight?.ToArray();
        double weightSum = 0; // the weighted mean's divisor: Σ w[y] over non-ignored elements
        foreach (int label in labels)
            if (label != ignoreIndex) weightSum += classWeights is null ? 1 : classWeights[label];
        var (outer, _, inner) = input.AxisBlock(1);
        var logp = Tensor.Make(input.Shape);
        Kernels.Softmax.Forward(input.ContiguousNoGrad().Span, outer, classes, inner, logp.Data, log: true);
        var perElement = Tensor.Make(target.Shape);
        double sum = Kernels.CrossEntropy.Forward(logp.Span, outer, classes, inner, labels, classWeights, ignoreIndex, labelSmoothing,
            perElement.Data);
        var (result, scale) = reduction switch
        {
            Reduction.Mean => (Tensor.Scalar((float)(sum / weightSum)), (float)(1 / weightSum)), // 0/0 = NaN when all are ignored, as in PyTorch
            Reduction.Sum => (Tensor.Scalar((float)sum), 1f),
            Reduction.None => (perElement, 1f),
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: unknown reduction"),
        };
        return Tensor.ShouldRecord(input)
            ? result.WithGradFn(CrossEntropyBackward.Create(input, logp, labels, classWeights, ignoreIndex, labelSmoothing, scale,
                reduced: reduction != Reduction.None))
            : result;
    }

    // Apart from CrossEntropy so that its lambda's captured variables are not allocated on every call.
    private static Tensor UnbatchedCrossEntropy(Tensor input, Tensor target, Tensor? weight, int ignoreIndex, Reduction reduction,
        float labelSmoothing) =>
        Unbatched(input, target, t => CrossEntropy(input.Unsqueeze(0), t, weight, ignoreIndex, reduction, labelSmoothing), reduction,
            "CrossEntropyLoss");

    /// <summary>
    /// Negative log-likelihood of log-probabilities, like <c>torch.nn.functional.nll_loss</c>: input [N,C],
    /// [N,C,d₁,...] or [C] holding log p; target class indices [N] / [N,d₁,...] / scalar.
    /// ℓₙ = −w[yₙ]·input[n, yₙ], 0 where yₙ = <paramref name="ignoreIndex"/>; the mean divides by Σₙ w[yₙ] over
    /// non-ignored elements (NaN when every element is ignored, as in PyTorch).
    /// </summary>
    public static Tensor NllLoss(Tensor input, Tensor target, Tensor? weight = null, int ignoreIndex = DefaultIgnoreIndex,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "NllLoss";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        if (input.Rank == 1) return Unbatched(input, target, t => NllLoss(input.Unsqueeze(0), t, weight, ignoreIndex, reduction), reduction, op, allowProbabilities: false);
        CheckClassInput(input, op);
        int classes = input.Shape[1];
        CheckClassWeight(weight, classes, op);
        var labels = Labels(input, target, classes, ignoreIndex, op);
        return Nll(input, target.Shape, labels, weight, ignoreIndex, reduction, op);
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
    /// Multi-class hinge loss, like <c>torch.nn.MultiMarginLoss</c>: input [N,C] (or [C]) scores, target [N]
    /// class indices. ℓₙ = (1/C)·Σ_{i≠yₙ} w[yₙ]·max(0, margin − xₙ[yₙ] + xₙ[i])^p with p ∈ {1, 2}
    /// (default 1), margin default 1, optional per-class <paramref name="weight"/> [C] (applied after the power,
    /// as PyTorch does).
    /// </summary>
    public static Tensor MultiMarginLoss(Tensor input, Tensor target, int p = 1, float margin = 1f, Tensor? weight = null,
        Reduction reduction = Reduction.Mean)
    {
        const string op = "MultiMarginLoss";
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(target);
        CheckMultiMarginOptions(p, margin);
        if (input.Rank == 1) return Unbatched(input, target, t => MultiMarginLoss(input.Unsqueeze(0), t, p, margin, weight, reduction), reduction, op, allowProbabilities: false);
        if (input.Rank != 2)
            throw new ArgumentException($"{op}: expected input of shape [N,C] or [C], got {input.Shape}");
        int n = input.Shape[0], classes = input.Shape[1];
        CheckClassWeight(weight, classes, op);
        var labels = Labels(input, target, classes, ignoreIndex: null, op);
        var labelColumn = Tensor.FromArray(Array.ConvertAll(labels, l => (float)l), n, 1);
        var scoreOfLabel = input.Gather(1, labelColumn);
        var hinge = (margin - scoreOfLabel + input).Relu();
        if (p == 2) hinge = hinge.Square();
        // The true class is left out of the sum; its own term would always be the margin.
        var others = 1f - Tensor.OneHot(labelColumn.Reshape(n), classes);
        var scale = others * (1f / classes);
        if (weight is not null) scale = scale * weight.Detach().Gather(0, labelColumn.Reshape(n)).Reshape(n, 1);
        return Reduce((hinge * scale).Sum(1), reduction);
    }

    /// <summary>Applies a reduction to per-element losses: mean, sum or none.</summary>
    public static Tensor Reduce(Tensor perElement, Reduction reduction)
    {
        ArgumentNullException.ThrowIfNull(perElement);
        return reduction switch
        {
            Reduction.Mean => perElement.Mean(),
            Reduction.Sum => perElement.Sum(),
            Reduction.None => perElement,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "unknown reduction"),
        };
    }

    // ----- shared pieces -----

    internal static void CheckLabelSmoothing(float labelSmoothing, string op)
    {
        if (!(labelSmoothing >= 0 && labelSmoothing <= 1))
            throw new ArgumentException($"{op}: label smoothing must be in [0, 1], got {labelSmoothing}");
    }

    internal static void CheckMultiMarginOptions(int p, float margin)
    {
        if (p != 1 && p != 2) throw new ArgumentException($"MultiMarginLoss: p must be 1 or 2, got {p}");
        if (!float.IsFinite(margin)) throw new ArgumentException($"MultiMarginLoss: margin must be finite, got {margin}");
    }

    internal static void CheckWeightRank(Tensor? weight, string op)
    {
        if (weight is not null && weight.Rank != 1)
            throw new ArgumentException($"{op}: class weight must be 1-d [C], got shape {weight.Shape}");
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

    private static void CheckClassInput(Tensor input, string op)
    {
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected input of shape [N,C], [N,C,d1,...] or [C], got {input.Shape}");
        if (input.Shape[1] == 0) throw new ArgumentException($"{op}: input of shape {input.Shape} has no classes");
    }

    private static void CheckClassWeight(Tensor? weight, int classes, string op)
    {
        CheckWeightRank(weight, op);
        if (weight is not null && weight.Shape[0] != classes)
            throw new ArgumentException($"{op}: class weight of shape {weight.Shape} does not match the {classes} classes of the input");
    }

    /// <summary>Runs a loss on an unbatched [C] input as a batch of one, and drops the batch axis again with Reduction.None.</summary>
    private static Tensor Unbatched(Tensor input, Tensor target, Func<Tensor, Tensor> batched, Reduction reduction, string op,
        bool allowProbabilities = true)
    {
        Tensor batchedTarget;
        if (target.Rank == 0) batchedTarget = target.Reshape(1);
        else if (allowProbabilities && target.Shape == input.Shape) batchedTarget = target.Unsqueeze(0);
        else
            throw new ArgumentException(allowProbabilities
                ? $"{op}: an unbatched input of shape {input.Shape} needs a scalar class index or probabilities of shape {input.Shape}, got target shape {target.Shape}"
                : $"{op}: an unbatched input of shape {input.Shape} needs a scalar class index, got target shape {target.Shape}");
        var loss = batched(batchedTarget);
        return reduction == Reduction.None ? loss.Squeeze(0) : loss;
    }

    /// <summary>The class labels of an index target, checked: shape = input shape without axis 1, whole numbers in [0, C) or the ignore index.</summary>
    private static int[] Labels(Tensor input, Tensor target, int classes, int? ignoreIndex, string op)
    {
        bool fits = target.Rank == input.Rank - 1;
        for (int d = 0; fits && d < target.Rank; d++) fits = target.Shape[d] == input.Shape[d < 1 ? d : d + 1];
        if (!fits)
        {
            var expected = input.Shape.ToArray().Where((_, d) => d != 1).ToArray();
            string probabilities = op == "CrossEntropyLoss" ? $", or probabilities of the input's shape {input.Shape}" : "";
            throw new ArgumentException(
                $"{op}: target of shape {target.Shape} does not fit input of shape {input.Shape}: expected class indices of shape {Shape.Format(expected)}{probabilities}");
        }
        var source = target.ContiguousNoGrad();
        var values = source.Data.AsSpan(source.Offset, source.Numel);
        var labels = TakeLabelsArray(values.Length);
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || float.IsInfinity(v))
                throw new ArgumentException($"{op}: class labels must be whole numbers, got {v} at target element {i}");
            if (ignoreIndex is int ignored && v == ignored)
            {
                labels[i] = ignored;
                continue;
            }
            if (v < 0 || v >= classes)
            {
                string hint = ignoreIndex is int ig ? $" (ignore index is {ig})" : "";
                throw new ArgumentException($"{op}: label {v} at target element {i} is out of range for {classes} classes; labels must be in [0, {classes - 1}]{hint}");
            }
            labels[i] = (int)v;
        }
        return labels;
    }

    // The labels array of a retired cross-entropy node, when it has the right length (the same batch size).
    private static int[] TakeLabelsArray(int length)
    {
        if (CrossEntropyBackward.SpareLabels is { } spare && spare.Length == length)
        {
            CrossEntropyBackward.SpareLabels = null;
            return spare;
        }
        return new int[length];
    }

    /// <summary>The NLL of log-probabilities at the labels; the mean divides by Σ w[y] over non-ignored elements.</summary>
    private static Tensor Nll(Tensor logp, Shape targetShape, int[] labels, Tensor? weight, int ignoreIndex,
        Reduction reduction, string op)
    {
        var classWeights = weight?.ToArray();
        var safe = new float[labels.Length];
        var perElementWeight = new float[labels.Length];
        double weightSum = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            if (labels[i] == ignoreIndex) continue; // weight 0, gathers class 0 harmlessly
            safe[i] = labels[i];
            perElementWeight[i] = classWeights is null ? 1f : classWeights[labels[i]];
            weightSum += perElementWeight[i];
        }
        var dims = targetShape.ToArray();
        var index = Tensor.FromArray(safe, dims).Unsqueeze(1);
        var picked = logp.Gather(1, index).Squeeze(1);
        var perElement = -(picked * Tensor.FromArray(perElementWeight, dims));
        return reduction switch
        {
            Reduction.Mean => perElement.Sum() / (float)weightSum, // 0/0 = NaN when all are ignored, as in PyTorch
            Reduction.Sum => perElement.Sum(),
            Reduction.None => perElement,
            _ => throw new ArgumentOutOfRangeException(nameof(reduction), reduction, $"{op}: unknown reduction"),
        };
    }

    /// <summary>Class weights [C] viewed as [1,C,1,...] to broadcast over an input of the given rank.</summary>
    private static Tensor ClassView(Tensor weight, int rank)
    {
        var dims = Enumerable.Repeat(1, rank).ToArray();
        dims[1] = weight.Shape[0];
        return weight.Reshape(dims);
    }

    private static Tensor ProbabilityCrossEntropy(Tensor logp, Tensor target, Tensor? weight, Reduction reduction, float labelSmoothing)
    {
        int classes = logp.Shape[1];
        var q = labelSmoothing > 0 ? target * (1 - labelSmoothing) + labelSmoothing / classes : target;
        var terms = logp * q;
        if (weight is not null) terms = terms * ClassView(weight, logp.Rank);
        return reduction switch
        {
            Reduction.Mean => -terms.Sum() / (logp.Numel / (float)classes),
            Reduction.Sum => -terms.Sum(),
            _ => -terms.Sum(1),
        };
    }
}
