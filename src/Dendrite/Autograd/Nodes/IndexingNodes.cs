using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>Cat: each input's gradient is its slice of the output gradient.</summary>
public sealed class CatBackward(Tensor[] inputs, int axis, int[] sizes) : Node([.. inputs])
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var grads = new Tensor?[sizes.Length];
        int offset = 0;
        for (int i = 0; i < sizes.Length; i++)
        {
            if (NeedsGrad(i)) grads[i] = g.Narrow(axis, offset, sizes[i]);
            offset += sizes[i];
        }
        return grads;
    }
}

/// <summary>Gather: the gradient is scattered back, adding where an element was picked more than once.</summary>
public sealed class GatherBackward(Tensor x, int axis, int[] index, Shape indexShape) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var result = Tensor.Zeros(x.Shape);
        Indexing.ScatterAdd(indexShape.AsSpan(), axis, index, g.Span, g.StridesArray, result.Span, result.StridesArray);
        return [result];
    }
}
