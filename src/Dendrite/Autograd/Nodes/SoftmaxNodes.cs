using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>
/// Softmax and log-softmax, fused: the backward uses the saved output directly (y ⊙ (g − Σ g⊙y), or
/// g − softmax·Σ g) instead of a graph of exp/sum/div nodes, which is both faster and stable.
/// </summary>
public sealed class SoftmaxBackward(Tensor x, Tensor result, int axis, bool log) : Node(x)
{
    public override string Name => log ? "LogSoftmaxBackward" : "SoftmaxBackward";

    protected internal override Tensor?[] Backward(Tensor g)
    {
        var (outer, n, inner) = result.AxisBlock(axis);
        var grad = g.ContiguousNoGrad();
        var dx = Tensor.Zeros(x.Shape);
        Kernels.Softmax.Backward(result.Span, grad.Span, outer, n, inner, dx.Span, log);
        return [dx];
    }
}
