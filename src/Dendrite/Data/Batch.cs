using Dendrite.Tensors;

namespace Dendrite.Data;

/// <summary>A mini-batch: samples stacked along a new first dimension, inputs [B, ...] and targets [B, ...].</summary>
public sealed record Batch(Tensor Inputs, Tensor Targets)
{
    /// <summary>The number of samples B.</summary>
    public int Size => Inputs.Shape[0];
}
