using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>
/// A dataset over two tensors whose first dimension indexes samples, like
/// <c>torch.utils.data.TensorDataset</c>: sample i is (inputs[i], targets[i]). Inputs [N, ...] and targets
/// [N, ...] (targets [N] give scalar per-sample targets, batched to [B]). The tensors are kept by
/// reference, not copied. A <see cref="DataLoader"/> over a TensorDataset (or a <see cref="Subset"/> of one)
/// copies whole rows into each batch instead of building a tensor per sample.
/// </summary>
public sealed class TensorDataset : IDataset
{
    /// <summary>Pairs <paramref name="inputs"/> with <paramref name="targets"/>; their first dimensions must agree.</summary>
    public TensorDataset(Tensor inputs, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        if (inputs.Rank == 0 || targets.Rank == 0)
            throw new ArgumentException(
                $"TensorDataset: inputs and targets need a sample dimension, got shapes {inputs.Shape} and {targets.Shape}");
        if (inputs.Shape[0] != targets.Shape[0])
            throw new ArgumentException(
                $"TensorDataset: inputs and targets must have the same number of samples (first dimension), got shapes {inputs.Shape} and {targets.Shape}");
        Inputs = inputs;
        Targets = targets;
    }

    /// <summary>All inputs, [N, ...].</summary>
    public Tensor Inputs { get; }

    /// <summary>All targets, [N, ...].</summary>
    public Tensor Targets { get; }

    /// <inheritdoc />
    public int Count => Inputs.Shape[0];

    /// <summary>Sample <paramref name="index"/> as views into <see cref="Inputs"/> and <see cref="Targets"/>.</summary>
    public (Tensor Input, Tensor Target) this[int index]
    {
        get
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), $"TensorDataset: index {index} is outside [0, {Count})");
            return (Inputs.Select(0, index), Targets.Select(0, index));
        }
    }

    /// <summary>The rows <paramref name="indices"/> of the contiguous tensor <paramref name="contiguous"/> as a new tensor.</summary>
    internal static Tensor TakeRows(Tensor contiguous, ReadOnlySpan<int> indices)
    {
        // Every element is copied over, so a recycled buffer is not cleared first (half the batch's memory traffic).
        var result = Tensor.Uninitialized(contiguous.Shape.With(0, indices.Length));
        int row = contiguous.Numel / Math.Max(contiguous.Shape[0], 1);
        // Whole-row block copies: a batch costs one memcpy per sample, not one tensor per sample.
        for (int i = 0; i < indices.Length; i++)
            Array.Copy(contiguous.Data, contiguous.Offset + indices[i] * row, result.Data, i * row, row);
        return result;
    }
}
