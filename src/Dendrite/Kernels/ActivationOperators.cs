namespace Dendrite.Kernels;

// Operator structs for the activations that the NN layers add (LeakyReLU, the Heaviside step, sine).
// Kept apart from Operators.cs so each family of ops reads as one unit.

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

internal readonly struct SinOp : IUnaryOperator { public float Invoke(float x) => MathF.Sin(x); }

internal readonly struct SinGradOp : IBinaryOperator { public float Invoke(float grad, float x) => grad * MathF.Cos(x); }

/// <summary>scale·x + shift, for turning unit random samples into U(a, b) or N(μ, σ²).</summary>
internal readonly struct AffineOp(float scale, float shift) : IUnaryOperator
{
    public float Invoke(float x) => scale * x + shift;
}
