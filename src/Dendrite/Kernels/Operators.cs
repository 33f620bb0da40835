using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

// The small operator structs that the element-wise driver applies. Each is one line of math; the driver
// owns the loops. Gradient operators (…GradOp) compute an op's local gradient times the upstream one.

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
internal readonly struct NegOp : IUnaryOperator
{
    public float Invoke(float x) => -x;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => -x;
}
internal readonly struct ExpOp : IUnaryOperator { public float Invoke(float x) => MathF.Exp(x); }
internal readonly struct LogOp : IUnaryOperator { public float Invoke(float x) => MathF.Log(x); }
internal readonly struct SqrtOp : IUnaryOperator
{
    public float Invoke(float x) => MathF.Sqrt(x);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Sqrt(x);
}
internal readonly struct AbsOp : IUnaryOperator
{
    public float Invoke(float x) => MathF.Abs(x);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.Abs(x);
}

// Sign(NaN) is NaN, as in PyTorch; MathF.Sign would throw.
internal readonly struct SignOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? 1f : x < 0 ? -1f : x == 0 ? 0f : float.NaN;
}

internal readonly struct PowScalarOp(float exponent) : IUnaryOperator
{
    public float Invoke(float x) => exponent == 2f ? x * x : MathF.Pow(x, exponent);
}

// NaN passes through a clamp unchanged, as in PyTorch.
internal readonly struct ClampOp(float min, float max) : IUnaryOperator
{
    public float Invoke(float x) => x < min ? min : x > max ? max : x;
}

// 1/(1+e^-x) for x >= 0 and e^x/(1+e^x) below, so neither branch overflows.
internal readonly struct SigmoidOp : IUnaryOperator
{
    public float Invoke(float x)
    {
        if (x >= 0) return 1f / (1f + MathF.Exp(-x));
        float e = MathF.Exp(x);
        return e / (1f + e);
    }
}

internal readonly struct TanhOp : IUnaryOperator { public float Invoke(float x) => MathF.Tanh(x); }
internal readonly struct ReluOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : x == 0 || x < 0 ? 0f : x;
    public static bool Vectorizable => true;

    // Zero where x ≤ 0; x itself elsewhere, which keeps NaN (for which x ≤ 0 is false).
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.AndNot(x, Vector256.LessThanOrEqual(x, Vector256<float>.Zero));
}

internal readonly struct AddOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a + b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a + b;
}
internal readonly struct SubOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a - b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a - b;
}
internal readonly struct MulOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a * b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a * b;
}
internal readonly struct DivOp : IBinaryOperator
{
    public float Invoke(float a, float b) => a / b;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => a / b;
}
internal readonly struct PowOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Pow(a, b); }

// NaN wins in Maximum/Minimum, as in PyTorch (Math.Max does the same).
internal readonly struct MaximumOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Max(a, b); }
internal readonly struct MinimumOp : IBinaryOperator { public float Invoke(float a, float b) => MathF.Min(a, b); }

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

// cond is a mask: any non-zero value selects a.
internal readonly struct WhereOp : ITernaryOperator
{
    public float Invoke(float cond, float a, float b) => cond != 0 ? a : b;
}

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

internal readonly struct SigmoidGradOp : IBinaryOperator
{
    public float Invoke(float grad, float y) => grad * y * (1f - y);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> y) => grad * y * (Vector256<float>.One - y);
}
internal readonly struct TanhGradOp : IBinaryOperator
{
    public float Invoke(float grad, float y) => grad * (1f - y * y);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> y) => grad * (Vector256<float>.One - y * y);
}
internal readonly struct ReluGradOp : IBinaryOperator
{
    public float Invoke(float grad, float x) => x > 0 ? grad : 0f;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> x) => grad & Vector256.GreaterThan(x, Vector256<float>.Zero);
}

// d/dx x^p = p·x^(p-1); written so that p = 0 gives 0 rather than 0·x^-1 = NaN at x = 0.
internal readonly struct PowScalarGradOp(float exponent) : IBinaryOperator
{
    public float Invoke(float grad, float x) =>
        exponent == 0f ? 0f : exponent == 2f ? grad * 2f * x : grad * exponent * MathF.Pow(x, exponent - 1f);
}

// Inside [min, max] the gradient passes; PyTorch lets it pass at the bounds too.
internal readonly struct ClampGradOp(float min, float max) : IBinaryOperator
{
    public float Invoke(float grad, float x) => x >= min && x <= max ? grad : 0f;
}
