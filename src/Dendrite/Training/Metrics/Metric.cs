using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// A quality measure accumulated over batches: <see cref="Reset"/> at the start of a pass,
/// <see cref="Update"/> with each batch's model output and target, <see cref="Compute"/> at the end. The
/// value over several batches equals the value over their concatenation (counts are summed, not batch
/// values averaged). The <see cref="Training.Trainer"/> logs it under <see cref="Name"/> and
/// <c>val_</c> + <see cref="Name"/>. <see cref="GetState"/> and <see cref="SetState"/> carry what has been
/// accumulated across an interrupted epoch, so a resumed one logs exactly what an uninterrupted one would.
/// </summary>
public abstract class Metric
{
    /// <summary>The key under which the value is logged, e.g. <c>accuracy</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Forgets everything accumulated so far.</summary>
    public abstract void Reset();

    /// <summary>Adds one batch: <paramref name="output"/> is the model's output, <paramref name="target"/> the batch's targets.</summary>
    public abstract void Update(Tensor output, Tensor target);

    /// <summary>The value over every batch since the last <see cref="Reset"/> (NaN before any sample).</summary>
    public abstract double Compute();

    /// <summary>
    /// What <see cref="Update"/> has accumulated since the last <see cref="Reset"/>, as numbers (counts are
    /// exact up to 2^53), for a <see cref="ResumePoint"/>; <see cref="SetState"/> takes it back. The built-in
    /// metrics all implement it; a metric that does not can still train, but a resume point inside an
    /// epoch cannot be taken while it is logged.
    /// </summary>
    public virtual double[] GetState() =>
        throw new NotSupportedException($"{Name}: {GetType().Name} cannot save its running state (override GetState and SetState), so training cannot stop inside an epoch while it is logged");

    /// <summary>Restores what <see cref="GetState"/> returned, replacing anything accumulated.</summary>
    public virtual void SetState(double[] state) =>
        throw new NotSupportedException($"{Name}: {GetType().Name} cannot restore a running state (override GetState and SetState)");

    /// <summary>
    /// Checks a state handed to <see cref="SetState"/>: <paramref name="length"/> numbers (any length when
    /// null), each a whole number ≥ 0 (the counts the built-in metrics keep).
    /// </summary>
    protected double[] CheckCounts(double[] state, int? length)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (length is int n && state.Length != n)
            throw new ArgumentException($"{Name}: a saved state has {n} numbers, got {state.Length}");
        foreach (double v in state)
            if (!(v >= 0 && v == Math.Floor(v) && v <= 1L << 53))
                throw new ArgumentException($"{Name}: a saved state holds whole counts ≥ 0, got {v}");
        return state;
    }

    /// <summary>Reads <paramref name="target"/> as class indices in [0, classes), naming this metric in errors.</summary>
    internal int[] ClassIndices(Tensor target, int classes, Shape outputShape)
    {
        var values = target.ToArray();
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!(v >= 0 && v < classes) || v != MathF.Floor(v))
                throw new ArgumentException(
                    $"{Name}: target label {v} at position {i} is not a class index in [0, {classes}) (output shape {outputShape}, target shape {target.Shape})");
            result[i] = (int)v;
        }
        return result;
    }

    internal ArgumentException ShapeError(Tensor output, Tensor target, string expected) =>
        new($"{Name}: output shape {output.Shape} does not fit target shape {target.Shape}; expected {expected}");
}
