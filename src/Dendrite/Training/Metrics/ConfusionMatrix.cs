using System.Text;
using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// Counts of (true class, predicted class) pairs: <c>this[t, p]</c> is the number of samples of class t
/// predicted as p — rows are true classes, columns predictions. The output is read as in
/// <see cref="Accuracy"/>: [N,C] with C = <see cref="NumClasses"/> by argmax, or [N]/[N,1] with threshold
/// 0.5 when NumClasses = 2. Per class c: precision = TP/(TP+FP), recall = TP/(TP+FN),
/// F1 = 2·P·R/(P+R); a ratio with a zero denominator is 0 (scikit-learn's <c>zero_division=0</c>). Macro
/// averages weigh every class equally. As a <see cref="Metric"/> it reports the macro F1 under
/// <c>macro_f1</c>.
/// </summary>
public sealed class ConfusionMatrix : Metric
{
    private readonly long[,] counts;

    /// <summary>An empty matrix for <paramref name="numClasses"/> ≥ 2 classes.</summary>
    public ConfusionMatrix(int numClasses, float threshold = 0.5f)
    {
        if (numClasses < 2)
            throw new ArgumentOutOfRangeException(nameof(numClasses), $"ConfusionMatrix: needs at least 2 classes, got {numClasses}");
        NumClasses = numClasses;
        Threshold = threshold;
        counts = new long[numClasses, numClasses];
    }

    /// <summary>The number of classes C.</summary>
    public int NumClasses { get; }

    /// <summary>The cut-off for a single-column binary output.</summary>
    public float Threshold { get; }

    /// <inheritdoc />
    public override string Name => "macro_f1";

    /// <summary>Samples of true class <paramref name="actual"/> predicted as <paramref name="predicted"/>.</summary>
    public long this[int actual, int predicted] => counts[actual, predicted];

    /// <summary>The number of samples counted.</summary>
    public long Total { get; private set; }

    /// <inheritdoc />
    public override void Reset()
    {
        Array.Clear(counts);
        Total = 0;
    }

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        var (predicted, actual) = Metrics.Accuracy.Labels(this, output, target, Threshold, NumClasses);
        Add(actual, predicted);
    }

    /// <inheritdoc />
    /// <remarks>The C×C counts, row by row (true class), as in <see cref="ToTensor"/>.</remarks>
    public override double[] GetState()
    {
        var state = new double[NumClasses * NumClasses];
        for (int t = 0; t < NumClasses; t++)
            for (int p = 0; p < NumClasses; p++) state[t * NumClasses + p] = counts[t, p];
        return state;
    }

    /// <inheritdoc />
    public override void SetState(double[] state)
    {
        CheckCounts(state, NumClasses * NumClasses);
        Reset();
        for (int t = 0; t < NumClasses; t++)
            for (int p = 0; p < NumClasses; p++) counts[t, p] = (long)state[t * NumClasses + p];
        Total = (long)state.Sum();
    }

    /// <summary>Adds samples given as class indices directly (true classes and predictions, [N] each).</summary>
    public void UpdateLabels(Tensor predicted, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(target);
        if (predicted.Rank != 1 || predicted.Shape != target.Shape)
            throw ShapeError(predicted, target, "predicted and true class indices of the same shape [N]");
        Add(ClassIndices(target, NumClasses, predicted.Shape), ClassIndices(predicted, NumClasses, predicted.Shape));
    }

    private void Add(int[] actual, int[] predicted)
    {
        for (int i = 0; i < actual.Length; i++) counts[actual[i], predicted[i]]++;
        Total += actual.Length;
    }

    /// <summary>The matrix as a tensor [C,C] (rows true, columns predicted).</summary>
    public Tensor ToTensor() => Tensor.FromArray(Array.ConvertAll(GetState(), v => (float)v), NumClasses, NumClasses);

    /// <summary>Correct predictions over all samples (NaN when empty).</summary>
    public double Accuracy()
    {
        long diagonal = 0;
        for (int c = 0; c < NumClasses; c++) diagonal += counts[c, c];
        return Total == 0 ? double.NaN : (double)diagonal / Total;
    }

    /// <summary>TP/(TP+FP) for class <paramref name="c"/>: of the samples predicted c, the share that are c.</summary>
    public double Precision(int c) => Ratio(counts[CheckClass(c), c], Column(c));

    /// <summary>TP/(TP+FN) for class <paramref name="c"/>: of the samples of class c, the share predicted c.</summary>
    public double Recall(int c) => Ratio(counts[CheckClass(c), c], Row(c));

    /// <summary>The harmonic mean 2·P·R/(P+R) of class <paramref name="c"/>'s precision and recall.</summary>
    public double F1(int c)
    {
        double p = Precision(c), r = Recall(c);
        return p + r == 0 ? 0 : 2 * p * r / (p + r);
    }

    /// <summary>The mean of the per-class precisions.</summary>
    public double MacroPrecision() => Average(Precision);

    /// <summary>The mean of the per-class recalls.</summary>
    public double MacroRecall() => Average(Recall);

    /// <summary>The mean of the per-class F1 scores (not the F1 of the macro precision and recall).</summary>
    public double MacroF1() => Average(F1);

    /// <inheritdoc />
    public override double Compute() => Total == 0 ? double.NaN : MacroF1();

    /// <summary>The matrix as text, one row per true class, with per-class precision, recall and F1.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("true\\pred");
        for (int p = 0; p < NumClasses; p++) text.Append($" {p,8}");
        text.AppendLine($" {"precision",10} {"recall",8} {"f1",8}");
        for (int t = 0; t < NumClasses; t++)
        {
            text.Append($"{t,9}");
            for (int p = 0; p < NumClasses; p++) text.Append($" {counts[t, p],8}");
            text.AppendLine($" {Precision(t),10:F4} {Recall(t),8:F4} {F1(t),8:F4}");
        }
        return text.ToString();
    }

    private long Row(int c)
    {
        long sum = 0;
        for (int p = 0; p < NumClasses; p++) sum += counts[c, p];
        return sum;
    }

    private long Column(int c)
    {
        long sum = 0;
        for (int t = 0; t < NumClasses; t++) sum += counts[t, c];
        return sum;
    }

    private int CheckClass(int c) => (uint)c < (uint)NumClasses ? c
        : throw new ArgumentOutOfRangeException(nameof(c), $"ConfusionMatrix: class {c} is outside [0, {NumClasses})");

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;

    private double Average(Func<int, double> perClass)
    {
        double sum = 0;
        for (int c = 0; c < NumClasses; c++) sum += perClass(c);
        return sum / NumClasses;
    }
}
