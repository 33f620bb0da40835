using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

// Local gradients of the element-wise ops. A broadcast input receives the gradient summed back to its
// own shape (SumToShape), because each of its elements fed several outputs.

/// <summary>d(a+b)/da = 1, d(a+b)/db = 1.</summary>
public sealed class AddBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? g.SumToShape(a.Shape) : null, NeedsGrad(1) ? g.SumToShape(b.Shape) : null];
}

/// <summary>d(a−b)/da = 1, d(a−b)/db = −1.</summary>
public sealed class SubBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? g.SumToShape(a.Shape) : null, NeedsGrad(1) ? (-g).SumToShape(b.Shape) : null];
}

/// <summary>d(ab)/da = b, d(ab)/db = a.</summary>
public sealed class MulBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? (g * b).SumToShape(a.Shape) : null, NeedsGrad(1) ? (g * a).SumToShape(b.Shape) : null];
}

/// <summary>d(a/b)/da = 1/b, d(a/b)/db = −a/b².</summary>
public sealed class DivBackward(Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? (g / b).SumToShape(a.Shape) : null, NeedsGrad(1) ? (-g * a / (b * b)).SumToShape(b.Shape) : null];
}

/// <summary>d(a^b)/da = b·a^(b−1), d(a^b)/db = a^b·ln a (taken as 0 where a = 0 and b ≥ 0, as PyTorch does).</summary>
public sealed class PowBackward(Tensor a, Tensor b, Tensor result) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        Tensor? ga = null, gb = null;
        // b·a^(b−1) is 0·∞ = NaN at a = 0, b = 0; the derivative of a^0 is 0 there, as PyTorch takes it.
        if (NeedsGrad(0)) ga = (g * Tensor.Where(b.Eq(0f), Tensor.Scalar(0f), b * Tensor.Pow(a, b - 1f))).SumToShape(a.Shape);
        if (NeedsGrad(1))
        {
            var zeroBase = a.Eq(0f) * b.Ge(0f);
            gb = (g * Tensor.Where(zeroBase, Tensor.Scalar(0f), result * a.Log())).SumToShape(b.Shape);
        }
        return [ga, gb];
    }
}

/// <summary>Gradient of Maximum/Minimum: to the winner, split equally on a tie.</summary>
public sealed class MaximumBackward(Tensor a, Tensor b, bool isMax) : Node(a, b)
{
    public override string Name => isMax ? "MaximumBackward" : "MinimumBackward";

    protected internal override Tensor?[] Backward(Tensor g) =>
        [NeedsGrad(0) ? Share(g, forFirst: true).SumToShape(a.Shape) : null,
         NeedsGrad(1) ? Share(g, forFirst: false).SumToShape(b.Shape) : null];

    private Tensor Share(Tensor g, bool forFirst)
    {
        var result = Tensor.Zeros(g.Shape);
        Elementwise.Ternary(new MaximumGradOp(forFirst, isMax), g.ShapeSpan, g.Span, g.BroadcastStrides(g.Shape),
            a.Span, a.BroadcastStrides(g.Shape), b.Span, b.BroadcastStrides(g.Shape), result.Span, result.StridesArray);
        return result;
    }
}

/// <summary>Where(c, a, b): the gradient goes to a where c holds and to b elsewhere.</summary>
public sealed class WhereBackward(Tensor condition, Tensor a, Tensor b) : Node(a, b)
{
    protected internal override Tensor?[] Backward(Tensor g)
    {
        var zero = Tensor.Scalar(0f);
        return [NeedsGrad(0) ? Tensor.Where(condition, g, zero).SumToShape(a.Shape) : null,
                NeedsGrad(1) ? Tensor.Where(condition, zero, g).SumToShape(b.Shape) : null];
    }
}

/// <summary>d(−x)/dx = −1.</summary>
public sealed class NegBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [-g];
}

/// <summary>d(x^p)/dx = p·x^(p−1).</summary>
public sealed class PowScalarBackward(Tensor x, float exponent) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, x, new PowScalarGradOp(exponent), Name)];
}

/// <summary>d(e^x)/dx = e^x (the saved output).</summary>
public sealed class ExpBackward(Tensor x, Tensor result) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g * result];
}

/// <summary>d(ln x)/dx = 1/x.</summary>
public sealed class LogBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g / x];
}

/// <summary>d(√x)/dx = 1/(2√x) (the saved output).</summary>
public sealed class SqrtBackward(Tensor x, Tensor result) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g / (result * 2f)];
}

/// <summary>d|x|/dx = sign(x), 0 at 0.</summary>
public sealed class AbsBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [g * x.Sign()];
}

/// <summary>sign is piecewise constant: its gradient is 0.</summary>
public sealed class SignBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.ZerosLike(x)];
}

/// <summary>Clamp passes the gradient where min ≤ x ≤ max.</summary>
public sealed class ClampBackward(Tensor x, float min, float max) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, x, new ClampGradOp(min, max), Name)];
}

/// <summary>d sin x / dx = cos x.</summary>
public sealed class SinBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, x, default(SinGradOp), Name)];
}
