using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

/// <summary>C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC (transposed views, so GEMM reads them in place), summed over broadcast batch dimensions.</summary>
public sealed class MatMulBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? Tensor.MatMul(g, b.Transpose(-1, -2)).SumToShape(a.Shape) : null,
         NeedsGrad(1) ? Tensor.MatMul(a.Transpose(-1, -2), g).SumToShape(b.Shape) : null];
}
