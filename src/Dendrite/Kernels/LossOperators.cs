namespace Dendrite.Kernels;

// Element-wise operator structs for the losses that need their own numerics (the rest are built from
// tensor primitives). Logs are taken in double: 1 − x is exact there for a float x, and log(1 + e^−|x|)
// keeps its tiny values instead of rounding 1 + e^−|x| to 1.

/// <summary>
/// Binary cross-entropy on a probability x against target t: −(t·max(ln x, −100) + (1−t)·max(ln(1−x), −100)).
/// The clamp at −100 is PyTorch's: it keeps the loss finite at x = 0 or 1.
/// </summary>
internal readonly struct BceOp : IBinaryOperator
{
    public float Invoke(float x, float t) => (float)(-(t * LogClamped(x) + (1.0 - t) * LogClamped(1.0 - x)));

    internal static double LogClamped(double v) => Math.Max(Math.Log(v), -100.0);
}

/// <summary>∂BCE/∂x = (x − t) / max(x(1−x), 1e-12), PyTorch's form (finite at x = 0 and 1).</summary>
internal readonly struct BceGradOp : IBinaryOperator
{
    public float Invoke(float x, float t) => (float)((x - (double)t) / Math.Max((1.0 - x) * x, 1e-12));
}

/// <summary>∂BCE/∂t = max(ln(1−x), −100) − max(ln x, −100).</summary>
internal readonly struct BceTargetGradOp : IBinaryOperator
{
    public float Invoke(float x, float t) => (float)(BceOp.LogClamped(1.0 - x) - BceOp.LogClamped(x));
}

/// <summary>
/// Binary cross-entropy on a logit x: max(x, 0) − x·t + ln(1 + e^−|x|), which equals
/// −(t·ln σ(x) + (1−t)·ln(1−σ(x))) but never takes the log of an underflowed 0 nor overflows exp.
/// </summary>
internal readonly struct BceWithLogitsOp : IBinaryOperator
{
    public float Invoke(float x, float t) =>
        (float)(Math.Max(x, 0.0) - (double)x * t + Math.Log(1.0 + Math.Exp(-Math.Abs((double)x))));
}

/// <summary>∂/∂x of <see cref="BceWithLogitsOp"/>: σ(x) − t.</summary>
internal readonly struct SigmoidMinusTargetOp : IBinaryOperator
{
    public float Invoke(float x, float t) => default(SigmoidOp).Invoke(x) - t;
}
