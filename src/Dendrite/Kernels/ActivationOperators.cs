using System.Runtime.Intrinsics;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Dendrite.Kernels;

// Operator structs of the activation functions (Tensor.Activations.cs), each followed by its gradient
// operator (the local gradient times the upstream one).

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

// From the saved output y = σ(x): σ′ = y(1 − y).
internal readonly struct SigmoidGradOp : IBinaryOperator
{
    public float Invoke(float grad, float y) => grad * y * (1f - y);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> y) => grad * y * (Vector256<float>.One - y);
}

internal readonly struct TanhOp : IUnaryOperator { public float Invoke(float x) => MathF.Tanh(x); }

// From the saved output y = tanh x: tanh′ = 1 − y².
internal readonly struct TanhGradOp : IBinaryOperator
{
    public float Invoke(float grad, float y) => grad * (1f - y * y);
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> y) => grad * (Vector256<float>.One - y * y);
}

internal readonly struct ReluOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : x == 0 || x < 0 ? 0f : x;
    public static bool Vectorizable => true;

    // Zero where x ≤ 0; x itself elsewhere, which keeps NaN (for which x ≤ 0 is false).
    public Vector256<float> Invoke(Vector256<float> x) => Vector256.AndNot(x, Vector256.LessThanOrEqual(x, Vector256<float>.Zero));

    // max(x, +0) keeps NaN and turns −0 into +0, as the scalar form does.
    public static bool HasPrimitive => true;
    public static void Primitive(ReadOnlySpan<float> x, Span<float> dst) => TensorPrimitives.Max(x, 0f, dst);
}

internal readonly struct ReluGradOp : IBinaryOperator
{
    public float Invoke(float grad, float x) => x > 0 ? grad : 0f;
    public static bool Vectorizable => true;
    public Vector256<float> Invoke(Vector256<float> grad, Vector256<float> x) => grad & Vector256.GreaterThan(x, Vector256<float>.Zero);
}

/// <summary>x for x &gt; 0, slope·x otherwise (NaN stays NaN).</summary>
internal readonly struct LeakyReluOp(float slope) : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? x : x * slope;
}

// PyTorch's leaky_relu_backward uses x > 0 ? grad : grad·slope, so at 0 the slope side wins.
internal readonly struct LeakyReluGradOp(float slope) : IBinaryOperator
{
    public float Invoke(float grad, float x) => x > 0 ? grad : grad * slope;
}

// Heaviside with H(0) = 0, the perceptron's threshold; NaN stays NaN, as torch.heaviside does.
internal readonly struct StepOp : IUnaryOperator
{
    public float Invoke(float x) => x > 0 ? 1f : x <= 0 ? 0f : x;
}
