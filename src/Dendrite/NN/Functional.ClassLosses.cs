using Dendrite.Autograd.Nodes;
using Dendrite.NN.Losses;
using Dendrite.Tensors;

namespace Dendrite.NN;

// The losses over classes (cross-entropy, negative log-likelihood, multi-class hinge) and their label
// checks. Class labels are float tensors holding whole numbers (Dendrite has no integer dtype); they are
// checked before use, and a bad label is reported with its value, its position and the number of classes.
public static partial class Functional
{
    /// <summary>PyTorch's default <c>ignore_index</c>: no real class has this label.</summary>
    public const int DefaultIgnoreIndex = -100;

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
        // Reduce's switch on the sum the fused kernel already took, with the scale the fused backward needs.
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
        return Nll(input, target.Shape, labels, weight, ignoreIndex, reduction);
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
    private static Tensor Nll(Tensor logp, Shape targetShape, int[] labels, Tensor? weight, int ignoreIndex, Reduction reduction)
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
        return Reduce(perElement, reduction, meanDivisor: weightSum);
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
        return Reduce(-terms.Sum(1), reduction); // the mean is over samples (and extra dimensions), not classes
    }
}
