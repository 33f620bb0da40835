using Dendrite.Tensors;

namespace Dendrite.Data.Transforms;

/// <summary>
/// A function applied to one sample's input, like a torchvision transform. Image transforms take
/// [C, H, W] tensors (or [H, W], treated as one channel) and return a new tensor; the input is not changed.
/// </summary>
public interface ITransform
{
    /// <summary>The transformed copy of <paramref name="input"/>.</summary>
    Tensor Apply(Tensor input);
}

/// <summary>Applies transforms in order, like <c>torchvision.transforms.Compose</c>.</summary>
public sealed class Compose(params ITransform[] transforms) : ITransform
{
    /// <summary>The transforms, first applied first.</summary>
    public IReadOnlyList<ITransform> Transforms { get; } = [.. transforms];

    /// <inheritdoc />
    public Tensor Apply(Tensor input)
    {
        foreach (var t in Transforms) input = t.Apply(input);
        return input;
    }
}

/// <summary>
/// A dataset whose inputs pass through <see cref="Transform"/> each time a sample is read (so random
/// augmentations differ from epoch to epoch); targets are unchanged. Works with <see cref="DataLoader"/>
/// like any <see cref="IDataset"/>.
/// </summary>
public sealed class TransformedDataset : IDataset
{
    /// <summary>Wraps <paramref name="dataset"/>, transforming every input with <paramref name="transform"/>.</summary>
    public TransformedDataset(IDataset dataset, ITransform transform)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(transform);
        Dataset = dataset;
        Transform = transform;
    }

    /// <summary>The underlying dataset.</summary>
    public IDataset Dataset { get; }

    /// <summary>The input transform.</summary>
    public ITransform Transform { get; }

    /// <inheritdoc />
    public int Count => Dataset.Count;

    /// <inheritdoc />
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            var (input, target) = Dataset[index];
            return (Transform.Apply(input), target);
        }
    }
}
