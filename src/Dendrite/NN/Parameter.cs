using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// A tensor that a <see cref="Module"/> learns: it always requires a gradient and owns contiguous
/// storage (so optimizers can update it in place). Like <c>torch.nn.Parameter</c>.
/// </summary>
public sealed class Parameter : Tensor
{
    /// <summary>A parameter holding a copy of <paramref name="value"/>'s elements (never pooled: it outlives every TensorScope).</summary>
    public Parameter(Tensor value) : base(ArgumentNullOrShape(value), Storage.AllocateUnscoped(value.Numel))
    {
        value.ToArray().CopyTo(Data, 0);
        RequiresGrad = true;
    }

    private static Shape ArgumentNullOrShape(Tensor value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.Shape;
    }
}
