using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// The fraction of samples whose predicted class equals the target class. Output [N,C] with C ≥ 2:
/// the prediction is the argmax over classes (logits or probabilities alike); the target is class
/// indices [N] or, with the output's shape, one-hot/probability rows (argmax taken). Output [N,1] or [N]:
/// a binary classifier, class 1 when output &gt; <see cref="Threshold"/> (default 0.5, for probabilities;
/// use 0 for logits); the target holds 0/1 with the output's shape or [N].
/// </summary>
public sealed class Accuracy(float threshold = 0.5f) : Metric
{
    private long correct, total;

    /// <summary>The cut-off of the single-column (binary) case.</summary>
    public float Threshold { get; } = threshold;

    /// <inheritdoc />
    public override string Name => "accuracy";

    /// <inheritdoc />
    public override void Reset() => correct = total = 0;

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        var (predicted, actual) = Labels(this, output, target, Threshold);
        for (int i = 0; i < predicted.Length; i++)
            if (predicted[i] == actual[i]) correct++;
        total += predicted.Length;
    }

    /// <inheritdoc />
    public override double Compute() => total == 0 ? double.NaN : (double)correct / total;

    /// <inheritdoc />
    public override double[] GetState() => [correct, total];

    /// <inheritdoc />
    public override void SetState(double[] state)
    {
        CheckCounts(state, 2);
        if (state[0] > state[1]) throw new ArgumentException($"{Name}: a saved state counts {state[0]} correct of {state[1]}");
        (correct, total) = ((long)state[0], (long)state[1]);
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
