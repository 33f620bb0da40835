using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>
/// The samples of <see cref="Dataset"/> at <see cref="Indices"/>, in that order, like
/// <c>torch.utils.data.Subset</c>. Indices are checked once, here.
/// </summary>
public sealed class Subset : IDataset
{
    private readonly int[] indices;

    /// <summary>A view of <paramref name="dataset"/> restricted to <paramref name="indices"/>.</summary>
    public Subset(IDataset dataset, IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(indices);
        this.indices = [.. indices];
        foreach (int i in this.indices)
            if ((uint)i >= (uint)dataset.Count)
                throw new ArgumentOutOfRangeException(nameof(indices),
                    $"Subset: index {i} is outside the dataset's range [0, {dataset.Count})");
        Dataset = dataset;
    }

    /// <summary>The underlying dataset.</summary>
    public IDataset Dataset { get; }

    /// <summary>Positions in <see cref="Dataset"/> of this subset's samples.</summary>
    public IReadOnlyList<int> Indices => indices;

    /// <inheritdoc />
    public int Count => indices.Length;

    /// <inheritdoc />
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), $"Subset: index {index} is outside [0, {Count})");
            return Dataset[indices[index]];
        }
    }
}
