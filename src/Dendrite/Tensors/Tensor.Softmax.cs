using Dendrite.Autograd.Nodes;

namespace Dendrite.Tensors;

public partial class Tensor
{
    /// <summary>softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along <paramref name="axis"/>, computed stably.</summary>
    public Tensor Softmax(int axis) => SoftmaxCore(axis, log: false);

    /// <summary>log softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ) along <paramref name="axis"/>, computed stably (never log of an underflowed 0).</summary>
    public Tensor LogSoftmax(int axis) => SoftmaxCore(axis, log: true);

    private Tensor SoftmaxCore(int axis, bool log)
    {
        string op = log ? "LogSoftmax" : "Softmax";
        if (Rank == 0) return log ? ZerosLike(this) : OnesLike(this);
        int a = Shape.NormalizeAxis(axis, Rank, op);
        var (outer, n, inner) = AxisBlock(a);
        var source = ContiguousNoGrad();
        var result = Make(Shape);
        Kernels.Softmax.Forward(source.Span, outer, n, inner, result.Data, log);
        return ShouldRecord(this) ? result.WithGradFn(new SoftmaxBackward(this, result, a, log)) : result;
    }

    /// <summary>The [outer, n, inner] view of a contiguous tensor around <paramref name="axis"/>.</summary>
    internal (int Outer, int N, int Inner) AxisBlock(int axis)
    {
        int outer = 1, inner = 1;
        for (int d = 0; d < axis; d++) outer *= Shape[d];
        for (int d = axis + 1; d < Rank; d++) inner *= Shape[d];
        return (outer, Shape[axis], inner);
    }
}
