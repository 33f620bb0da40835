using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

/// <summary>
/// The update loops of the optimizers and the gradient-clipping reductions, over contiguous spans of one
/// parameter: p (updated in place), its gradient g, and its state buffers. Each loop follows PyTorch 1.13's
/// single-tensor implementation op for op (same float32 rounding points), so results match torch.optim.
/// No allocation: the optimizer owns the state.
/// </summary>
internal static class OptimizerKernels
{
    /// <summary>
    /// SGD: d = g + λp; with momentum μ: b = d on the first step, else b = μb + (1−τ)d; then d = d + μb
    /// (Nesterov) or d = b; finally p −= lr·d.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> momentumBuffer, bool firstStep,
        float lr, float momentum, float dampening, float weightDecay, bool nesterov)
    {
        // The common cases (plain SGD, or momentum without Nesterov, dampening or weight decay, after the
        // first step) run as 8-wide loops; they round exactly like the scalar loop below.
        int i = 0;
        if (Vector256.IsHardwareAccelerated && weightDecay == 0 && !nesterov && (momentum == 0 || (!firstStep && dampening == 0)))
        {
            var lrv = Vector256.Create(lr);
            var mv = Vector256.Create(momentum);
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float br = ref MemoryMarshal.GetReference(momentumBuffer);
            for (; i <= p.Length - 8; i += 8)
            {
                var d = Vector256.LoadUnsafe(ref gr, (nuint)i);
                if (momentum != 0)
                {
                    d = Vector256.LoadUnsafe(ref br, (nuint)i) * mv + d;
                    d.StoreUnsafe(ref br, (nuint)i);
                }
                (Vector256.LoadUnsafe(ref pr, (nuint)i) - lrv * d).StoreUnsafe(ref pr, (nuint)i);
            }
        }
        float keep = 1f - dampening;
        for (; i < p.Length; i++)
        {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            if (momentum != 0)
            {
                float b = firstStep ? d : momentumBuffer[i] * momentum + keep * d;
                momentumBuffer[i] = b;
                d = nesterov ? d + momentum * b : b;
            }
            p[i] -= lr * d;
        }
    }

    /// <summary>Adagrad: d = g + λp; s += d²; p −= clr·d/(√s + ε), with clr = lr/(1 + (t−1)·lrDecay) given.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adagrad(Span<float> p, ReadOnlySpan<float> g, Span<float> sum, float clr, float weightDecay, float eps)
    {
        for (int i = 0; i < p.Length; i++)
        {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            float s = sum[i] + d * d;
            sum[i] = s;
            p[i] -= clr * (d / (MathF.Sqrt(s) + eps));
        }
    }

    /// <summary>
    /// RMSprop: d = g + λp; v = αv + (1−α)d²; centered: a = αa + (1−α)d and ṽ = v − a², else ṽ = v;
    /// with momentum μ: b = μb + d/(√ṽ + ε), p −= lr·b; else p −= lr·d/(√ṽ + ε).
    /// Empty <paramref name="gradAvg"/> means not centered; empty <paramref name="momentumBuffer"/> means no momentum.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RmsProp(Span<float> p, ReadOnlySpan<float> g, Span<float> squareAvg, Span<float> gradAvg,
        Span<float> momentumBuffer, float lr, float alpha, float eps, float weightDecay, float momentum)
    {
        bool centered = !gradAvg.IsEmpty, useMomentum = !momentumBuffer.IsEmpty;
        float rest = 1f - alpha;
        for (int i = 0; i < p.Length; i++)
        {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            float v = squareAvg[i] * alpha + rest * (d * d);
            squareAvg[i] = v;
            if (centered)
            {
                float a = gradAvg[i] * alpha + rest * d;
                gradAvg[i] = a;
                v -= a * a;
            }
            float denom = MathF.Sqrt(v) + eps;
            if (useMomentum)
            {
                float b = momentumBuffer[i] * momentum + d / denom;
                momentumBuffer[i] = b;
                p[i] -= lr * b;
            }
            else
            {
                p[i] -= lr * (d / denom);
            }
        }
    }

    /// <summary>
    /// Adam: d = g + λp (L2 weight decay; AdamW passes λ = 0 and decays p itself); m = β₁m + (1−β₁)d;
    /// v = β₂v + (1−β₂)d²; with AMSGrad v̂ = max(v̂, v) replaces v below; p −= stepSize·m / (√v/√bc₂ + ε), where
    /// stepSize = lr/(1−β₁ᵗ) and √bc₂ = √(1−β₂ᵗ) are given. Empty <paramref name="maxExpAvgSq"/> means no AMSGrad.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> expAvg, Span<float> expAvgSq, Span<float> maxExpAvgSq,
        float stepSize, float biasCorrection2Sqrt, float beta1, float beta2, float eps, float weightDecay)
    {
        bool amsgrad = !maxExpAvgSq.IsEmpty;
        float rest1 = 1f - beta1, rest2 = 1f - beta2;
        for (int i = 0; i < p.Length; i++)
        {
            float d = weightDecay != 0 ? g[i] + weightDecay * p[i] : g[i];
            float m = expAvg[i] * beta1 + rest1 * d;
            expAvg[i] = m;
            float v = expAvgSq[i] * beta2 + rest2 * (d * d);
            expAvgSq[i] = v;
            if (amsgrad)
            {
                v = MathF.Max(maxExpAvgSq[i], v);
                maxExpAvgSq[i] = v;
            }
            float denom = MathF.Sqrt(v) / biasCorrection2Sqrt + eps;
            p[i] -= stepSize * (m / denom);
        }
    }

    /// <summary>p ·= factor (AdamW's decoupled weight decay, and gradient clipping).</summary>
    public static void Scale(Span<float> p, float factor)
    {
        for (int i = 0; i < p.Length; i++) p[i] *= factor;
    }

    /// <summary>Clamps every element into [−limit, limit] (NaN stays NaN, as in PyTorch).</summary>
    public static void ClampSymmetric(Span<float> x, float limit)
    {
        var op = new ClampOp(-limit, limit);
        for (int i = 0; i < x.Length; i++) x[i] = op.Invoke(x[i]);
    }

    /// <summary>Σ|xᵢ|^p, accumulated in double (p = 1 and 2 without Pow).</summary>
    public static double SumOfPowers(ReadOnlySpan<float> x, double p)
    {
        double sum = 0;
        if (p == 2) foreach (float v in x) sum += (double)v * v;
        else if (p == 1) foreach (float v in x) sum += Math.Abs(v);
        else foreach (float v in x) sum += Math.Pow(Math.Abs(v), p);
        return sum;
    }

    /// <summary>max |xᵢ| (NaN if any element is NaN), for the ∞-norm.</summary>
    public static double MaxAbs(ReadOnlySpan<float> x)
    {
        double max = 0;
        foreach (float v in x)
        {
            if (float.IsNaN(v)) return double.NaN;
            max = Math.Max(max, Math.Abs(v));
        }
        return max;
    }
}
