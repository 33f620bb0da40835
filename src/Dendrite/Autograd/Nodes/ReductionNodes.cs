using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>Every summed element receives the output's gradient: reshape to the kept shape, then expand.</summary>
public sealed class SumBackward(Tensor x, Shape keepShape) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [g.Reshape(keepShape.ToArray()).Expand(x.Shape.ToArray())];
}

/// <summary>
/// amax/amin: the gradient goes to the elements equal to the extreme, split equally among ties — which
/// is also what a central finite difference measures there.
/// </summary>
public sealed class AmaxBackward(Tensor x, Tensor result, Shape keepShape, bool isMax) : Node(x)
{
    public override string Name => isMax ? "AmaxBackward" : "AminBackward";

    protected internal override Tensor?[] Backward(Tensor g)
    {
        var extreme = result.Reshape(keepShape.ToArray());
        var mask = x.Eq(extreme);
        var axes = ReducedAxes();
        // With no axis of size > 1 reduced (all reduced axes have size 1, or x is a scalar) every
        // element is its own maximum: the tie count is the mask itself.
        var count = axes.Length == 0 ? mask : mask.Sum(axes, keepDim: true);
        return [mask * (g.Reshape(keepShape.ToArray()) / count)];
    }

    private int[] ReducedAxes()
    {
        var axes = new List<int>();
        for (int d = 0; d < x.Rank; d++)
            if (keepShape[d] == 1 && x.Shape[d] != 1) axes.Add(d);
        return [.. axes];
    }
}

/// <summary>Max/Min along an axis with indices: the gradient goes to the recorded index only.</summary>
public sealed class IndexedExtremeBackward(Tensor x, int axis, Tensor indices, Shape keepShape, bool isMax) : Node(x)
{
    public override string Name => isMax ? "MaxBackward" : "MinBackward";

    protected internal override Tensor?[] Backward(Tensor g)
    {
        if (x.Rank == 0) return [g.Reshape()];
        var positionShape = new int[x.Rank];
        Array.Fill(positionShape, 1);
        positionShape[axis] = x.Shape[axis];
        var positions = Tensor.Arange(x.Shape[axis]).Reshape(positionShape);
        return [positions.Eq(indices) * g.Reshape(keepShape.ToArray())];
    }
}

/// <summary>d/dx log Σ exp(x) = softmax(x) = exp(x − lse).</summary>
public sealed class LogSumExpBackward(Tensor x, Tensor result, Shape keepShape) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var lse = result.Reshape(keepShape.ToArray());
        return [g.Reshape(keepShape.ToArray()) * (x - lse).Exp()];
    }
}
