using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>How per-label counts are combined into one F1 score.</summary>
public enum F1Average
{
    /// <summary>Pool TP, FP and FN over all labels, then F1 = 2TP/(2TP+FP+FN).</summary>
    Micro,
    /// <summary>F1 per label, then their mean (every label weighs the same).</summary>
    Macro,
}

/// <summary>
/// Accuracy for multi-label outputs [N,K] (independent sigmoid probabilities, one per label) against 0/1
/// targets [N,K]: a label is predicted on when output &gt; <see cref="Threshold"/> (default 0.5; use 0 for
/// logits). By default the fraction of correct (sample, label) decisions (Keras' binary accuracy, 1 −
/// Hamming loss); with <c>exactMatch</c>, the fraction of samples whose every label is right
/// (scikit-learn's subset accuracy).
/// </summary>
public sealed class MultiLabelAccuracy(float threshold = 0.5f, bool exactMatch = false) : RatioMetric
{
    /// <summary>The cut-off above which a label is predicted on.</summary>
    public float Threshold { get; } = threshold;

    /// <summary>Whether a sample counts only when all its labels are right.</summary>
    public bool ExactMatch { get; } = exactMatch;

    /// <inheritdoc />
    public override string Name => ExactMatch ? "exact_match" : "multilabel_accuracy";

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        var (predicted, actual, n, k) = MultiLabelF1.Decisions(this, output, target, Threshold);
        long correct = 0;
        for (int i = 0; i < n; i++)
        {
            int right = 0;
            for (int j = 0; j < k; j++)
                if (predicted[i * k + j] == actual[i * k + j]) right++;
            if (ExactMatch) correct += right == k ? 1 : 0;
            else correct += right;
        }
        Count(correct, ExactMatch ? n : (long)n * k);
    }

}

/// <summary>
/// F1 score for multi-label outputs [N,K] against 0/1 targets [N,K], thresholded as in
/// <see cref="MultiLabelAccuracy"/>; micro-averaged by default. A label with no positives predicted or true
/// scores 0 (zero_division=0).
/// </summary>
public sealed class MultiLabelF1(float threshold = 0.5f, F1Average average = F1Average.Micro) : Metric
{
    private long[] truePositives = [], falsePositives = [], falseNegatives = [];

    /// <summary>The cut-off above which a label is predicted on.</summary>
    public float Threshold { get; } = threshold;

    /// <summary>Micro or macro averaging over labels.</summary>
    public F1Average Average { get; } = average;

    /// <inheritdoc />
    public override string Name => Average == F1Average.Micro ? "f1" : "macro_f1";

    /// <inheritdoc />
    public override void Reset() => truePositives = falsePositives = falseNegatives = [];

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        var (predicted, actual, n, k) = Decisions(this, output, target, Threshold);
        if (truePositives.Length == 0)
        {
            truePositives = new long[k];
            falsePositives = new long[k];
            falseNegatives = new long[k];
        }
        else if (truePositives.Length != k)
            throw new ArgumentException($"{Name}: got {k} labels per sample (output shape {output.Shape}) after batches with {truePositives.Length}");
        for (int i = 0; i < n; i++)
            for (int j = 0; j < k; j++)
            {
                bool p = predicted[i * k + j], t = actual[i * k + j];
                if (p && t) truePositives[j]++;
                else if (p) falsePositives[j]++;
                else if (t) falseNegatives[j]++;
            }
    }

    /// <inheritdoc />
    public override double Compute()
    {
        if (truePositives.Length == 0) return double.NaN;
        if (Average == F1Average.Micro)
            return Score(truePositives.Sum(), falsePositives.Sum(), falseNegatives.Sum());
        double sum = 0;
        for (int j = 0; j < truePositives.Length; j++) sum += Score(truePositives[j], falsePositives[j], falseNegatives[j]);
        return sum / truePositives.Length;
    }

    /// <inheritdoc />
    /// <remarks>TP, then FP, then FN per label (empty before the first batch).</remarks>
    public override double[] GetState() =>
        [.. truePositives.Select(v => (double)v), .. falsePositives.Select(v => (double)v), .. falseNegatives.Select(v => (double)v)];

    /// <inheritdoc />
    public override void SetState(double[] state)
    {
        CheckCounts(state, null);
        if (state.Length % 3 != 0)
            throw new ArgumentException($"{Name}: a saved state holds TP, FP and FN per label (a multiple of 3 numbers), got {state.Length}");
        int k = state.Length / 3;
        long[] Counts(int part) => [.. state.AsSpan(part * k, k).ToArray().Select(v => (long)v)];
        (truePositives, falsePositives, falseNegatives) = (Counts(0), Counts(1), Counts(2));
    }

    private static double Score(long tp, long fp, long fn) => tp == 0 ? 0 : 2.0 * tp / (2.0 * tp + fp + fn);

    /// <summary>Thresholded predictions and 0/1 targets, flattened row-major, with N and K.</summary>
    internal static (bool[] Predicted, bool[] Actual, int N, int K) Decisions(Metric metric, Tensor output, Tensor target, float threshold)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        if (output.Rank != 2 || target.Shape != output.Shape)
            throw metric.ShapeError(output, target, "output and 0/1 targets of the same shape [N,K]");
        var targets = target.ToArray();
        var actual = new bool[targets.Length];
        for (int i = 0; i < targets.Length; i++)
        {
            if (targets[i] != 0 && targets[i] != 1)
                throw new ArgumentException(
                    $"{metric.Name}: targets must be 0 or 1, got {targets[i]} at row {i / output.Shape[1]}, label {i % output.Shape[1]} (shape {target.Shape})");
            actual[i] = targets[i] == 1;
        }
        var predicted = Array.ConvertAll(output.ToArray(), s => s > threshold);
        return (predicted, actual, output.Shape[0], output.Shape[1]);
    }
}
