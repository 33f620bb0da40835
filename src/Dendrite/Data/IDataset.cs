using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>
/// A finite, indexable collection of (input, target) samples, like a map-style
/// <c>torch.utils.data.Dataset</c>. A <see cref="DataLoader"/> stacks samples into batches, so every
/// sample of one dataset should have the same input shape and the same target shape.
/// </summary>
public interface IDataset
{
    /// <summary>The number of samples.</summary>
    int Count { get; }

    /// <summary>Sample <paramref name="index"/> (0 ≤ index &lt; <see cref="Count"/>).</summary>
    (Tensor Input, Tensor Target) this[int index] { get; }
}
