using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// A quality measure accumulated over batches: <see cref="Reset"/> at the start of a pass,
/// <see cref="Update"/> with each batch's model output and target, <see cref="Compute"/> at the end. The
/// value over several batches equals the value over their concatenation (counts are summed, not batch
/// values averaged). The <see cref="Training.Trainer"/> logs it under <see cref="Name"/> and
/// <c>val_</c> + <see cref="Name"/>.
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
