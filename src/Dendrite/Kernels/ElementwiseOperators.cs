using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Dendrite.Kernels;

// The operator structs of the element-wise math ops (Tensor.Elementwise.cs) that the driver applies. Each is
// one line of math; the driver owns the loops. A gradient operator (…GradOp) follows its op: it computes the
// op's local gradient times the upstream one. The activations' operators are in ActivationOperators.cs.

internal readonly struct IdentityOp : IUnaryOperator
{
    public float Invoke(float x) => x;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => x;
}
internal readonly struct ConstantOp(float value) : IUnaryOperator
{
    public float Invoke(float x) => value;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Create(value);
}

/// <summary>scale·x + shift, for turning unit random samples into U(a, b) or N(μ, σ²).</summary>
internal readonly struct AffineOp(float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => scale * x + shift;
}

internal readonly struct AddOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a + b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.Add(a, b, dst);
    public static void Primitive(ReadOnlySpan<float> a, float b, Span<float> dst) => TensorPrimitives.Add(a, b, dst);
}
internal readonly struct SubOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a - b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.Subtract(a, b, dst);
    public static void Primitive(ReadOnlySpan<float> a, float b, Span<float> dst) => TensorPrimitives.Subtract(a, b, dst);
}
internal readonly struct MulOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a * b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.Multiply(a, b, dst);
    public static void Primitive(ReadOnlySpan<float> a, float b, Span<float> dst) => TensorPrimitives.Multiply(a, b, dst);
}
internal readonly struct DivOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a / b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => TensorPrimitives.Divide(a, b, dst);
    public static void Primitive(ReadOnlySpan<float> a, float b, Span<float> dst) => TensorPrimitives.Divide(a, b, dst);
}
internal readonly struct PowOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Pow(a, b); }

// NaN wins in Maximum/Minimum, as in PyTorch (Math.Max does the same).
internal readonly struct MaximumOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Max(a, b); }
internal readonly struct MinimumOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Min(a, b); }

/// <summary>grad · (share of the max): 1 where a wins, 0 where b wins, ½ on a tie (PyTorch's convention).</summary>
internal readonly struct MaximumGradOp(bool forFirst, bool isMax) : ITernaryOperator
{
    public float Invoke(float grad, float a, float b)
    {
        if (a == b) return grad * 0.5f;
        bool firstWins = isMax ? a > b : a < b;
        return firstWins == forFirst ? grad : 0f;
    }
}

// cond is a mask: any non-zero value selects a.
internal readonly struct WhereOp : ITernaryOperator
{
    public float Invoke(float cond, float a, float b) => cond != 0 ? a : b;
}

internal readonly struct NegOp : IUnaryOperator
{
    public float Invoke(float x) => -x;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => -x;
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Negate(x, dst);
}

internal readonly struct PowScalarOp(float exponent) : IUnaryOperator
{
    public float Invoke(float x) => exponent == 2f ? x * x : MathF.Pow(x, exponent);
}

// d/dx x^p = p·x^(p-1); written so that p = 0 gives 0 rather than 0·x^-1 = NaN at x = 0.
internal readonly struct PowScalarGradOp(float exponent) : IBinaryOperator
{
    public float Invoke(float grad, float x) =>
        exponent == 0f ? 0f : exponent == 2f ? grad * 2f * x : grad * exponent * MathF.Pow(x, exponent - 1f);
}

internal readonly struct ExpOp : IUnaryOperator { public float Invoke(float x) => MathF.Exp(x); }
internal readonly struct LogOp : IUnaryOperator { public float Invoke(float x) => MathF.Log(x); }
internal readonly struct SqrtOp : IUnaryOperator
{
    public float Invoke(float x) => MathF.Sqrt(x);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Sqrt(x, dst);
}
internal readonly struct AbsOp : IUnaryOperator
{
    public float Invoke(float x) => MathF.Abs(x);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Abs(x, dst);
}

// Sign(NaN) is NaN, as in PyTorch; MathF.Sign would throw.
internal readonly struct SignOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? 1f : x < 0 ? -1f : x == 0 ? 0f : float.NaN;
}

// NaN passes through a clamp unchanged, as in PyTorch.
internal readonly struct ClampOp(float min, float max) : IUnaryOperator
{
    public float Invoke(float x) => x < min ? min : x > max ? max : x;
}

// Inside [min, max] the gradient passes; PyTorch lets it pass at the bounds too.
internal readonly struct ClampGradOp(float min, float max) : IBinaryOperator
{
    public float Invoke(float grad, float x) => x >= min && x <= max ? grad : 0f;
}

internal readonly struct SinOp : IUnaryOperator { public float Invoke(float x) => MathF.Sin(x); }

internal readonly struct SinGradOp : IBinaryOperator { public float Invoke(float grad, float x) => grad * MathF.Cos(x); }

internal enum Comparison { Eq, Ne, Lt, Le, Gt, Ge }

internal readonly struct CompareOp(Comparison kind) : IBinaryOperator
{
    public float Invoke(float a, float b) => kind switch
    {
        Comparison.Eq => a == b,
        Comparison.Ne => a != b,
        Comparison.Lt => a < b,
        Comparison.Le => a <= b,
        Comparison.Gt => a > b,
        _ => a >= b,
    } ? 1f : 0f;
}
