using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// The fraction of samples whose predicted class equals the target class. Output [N,C] with C ≥ 2:
/// the prediction is the argmax over classes (logits or probabilities alike); the target is class
/// indices [N] or, with the output's shape, one-hot/probability rows (argmax taken). Output [N,1] or [N]:
/// a binary classifier, class 1 when output &gt; <see cref="Threshold"/> (default 0.5, for probabilities;
/// use 0 for logits); the target holds 0/1 with the output's shape or [N].
/// </summary>
public sealed class Accuracy(float threshold = 0.5f) : RatioMetric
{
    /// <summary>The cut-off of the single-column (binary) case.</summary>
    public float Threshold { get; } = threshold;

    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        var (predicted, actual) = Labels(this, output, target, Threshold);
        long correct = 0;
        for (int i = 0; i < predicted.Length; i++)
            if (predicted[i] == actual[i]) correct++;
        Count(correct, predicted.Length);
    }


    /// <summary>Predicted and true class indices per sample, shared with <see cref="ConfusionMatrix"/>.</summary>
    internal static (int[] Predicted, int[] Actual) Labels(Metric metric, Tensor output, Tensor target, float threshold, int? classes = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        bool binary = output.Rank == 1 || (output.Rank == 2 && output.Shape[1] == 1);
        if (binary)
        {
            int n = output.Shape[0];
            bool fits = target.Shape == output.Shape || (target.Rank == 1 && target.Shape[0] == n)
                || (target.Rank == 2 && target.Shape[0] == n && target.Shape[1] == 1);
            if (!fits) throw metric.ShapeError(output, target, $"targets [{n}] or [{n},1] of 0/1 for a single-column output");
            if (classes is int k && k != 2)
                throw new ArgumentException($"{metric.Name}: a single-column output [N] or [N,1] is a binary classifier, but {k} classes were given (output shape {output.Shape})");
            var scores = output.ToArray();
            // A cut-off between 0 and 1 reads the outputs as probabilities; logits there would be judged
            // against the wrong point (a logit of 0.3 is a probability of 0.57, yet counts as class 0).
            if (threshold > 0 && threshold < 1 && Array.Exists(scores, s => s < 0 || s > 1))
                throw new ArgumentException(
                    $"{metric.Name}: a single-column output is compared with the threshold {threshold} as a probability, but it holds values outside [0, 1] " +
                    $"(e.g. {Array.Find(scores, s => s < 0 || s > 1)}); apply a sigmoid, or for logits use threshold 0");
            var predicted = Array.ConvertAll(scores, s => s > threshold ? 1 : 0);
            return (predicted, metric.ClassIndices(target, 2, output.Shape));
        }
        if (output.Rank != 2)
            throw metric.ShapeError(output, target, "output [N,C] (class scores) or [N]/[N,1] (binary)");
        int rows = output.Shape[0], c = output.Shape[1];
        if (classes is int expected && expected != c)
            throw new ArgumentException($"{metric.Name}: expected {expected} class scores per sample, got output shape {output.Shape}");
        var predictedClasses = Array.ConvertAll(output.ArgMax(1).ToArray(), v => (int)v);
        if (target.Shape == output.Shape)
            return (predictedClasses, Array.ConvertAll(target.ArgMax(1).ToArray(), v => (int)v));
        if (target.Rank != 1 || target.Shape[0] != rows)
            throw metric.ShapeError(output, target, $"class indices [{rows}] or one-hot targets [{rows},{c}]");
        return (predictedClasses, metric.ClassIndices(target, c, output.Shape));
    }
}
