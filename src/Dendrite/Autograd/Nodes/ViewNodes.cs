using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

// Views and copies move no numbers, so their backward passes only move the gradient back into the input's layout.

/// <summary>Reshape, Squeeze, Unsqueeze, Flatten: the gradient is reshaped back (a reusable node: Flatten runs every step).</summary>
public sealed class ReshapeBackward : ReusableNode<ReshapeBackward>
{
    public ReshapeBackward(Tensor x) : base(x)
    {
    }

    /// <summary>A retired node re-armed for <paramref name="x"/>, or a new one.</summary>
    internal static ReshapeBackward Create(Tensor x) => Take(x) ?? new ReshapeBackward(x);

    protected internal override Tensor?[] Backward(Tensor g) => Gradients(g.ReshapeTo(Input(0)!.Shape));
}

/// <summary>Permute/Transpose: the gradient is permuted by the inverse permutation.</summary>
public sealed class PermuteBackward(Tensor x, int[] axes) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var inverse = new int[axes.Length];
        for (int i = 0; i < axes.Length; i++) inverse[axes[i]] = i;
        return [g.Permute(inverse)];
    }
}

/// <summary>Slice/Narrow/Select: the gradient lands in the selected elements; the rest get 0.</summary>
public sealed class SliceBackward(Tensor x, int axis, int start, int step) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var full = Tensor.Zeros(x.Shape);
        int count = g.Shape[axis];
        if (count > 0) full.Slice(axis, start, start + (count - 1) * step + 1, step).CopyFrom_(g);
        return [full];
    }
}

/// <summary>Expand: every copy of an element contributed, so the gradient is summed back.</summary>
public sealed class ExpandBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g.SumToShape(x.Shape)];
}

/// <summary>Clone/Contiguous: a copy passes the gradient unchanged.</summary>
public sealed class CloneBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g];
}
