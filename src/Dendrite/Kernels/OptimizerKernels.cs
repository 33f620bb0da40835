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
internal static unsafe class OptimizerKernels
{
    // Large parameters are updated in chunks of this many elements on the worker pool: the updates are
    // element-wise and bound by memory traffic (parameter, gradient and state buffers), so two cores stream
    // them almost twice as fast. Chunks depend on the length only, so results do not depend on threads.
    private const int ChunkElements = 16_384;

    /// <summary>
    /// SGD: d = g + λp; with momentum μ: b = d on the first step, else b = μb + (1−τ)d; then d = d + μb
    /// (Nesterov) or d = b; finally p −= lr·d.
    /// </summary>
    public static void Sgd(Span<float> p, ReadOnlySpan<float> g, Span<float> momentumBuffer, bool firstStep,
        float lr, float momentum, float dampening, float weightDecay, bool nesterov)
    {
        fixed (float* pp = p, pg = g, pb = momentumBuffer)
        {
            var work = new SgdWork
            {
                P = pp, G = pg, B = pb, HasMomentumBuffer = !momentumBuffer.IsEmpty, FirstStep = firstStep, Lr = lr,
                Momentum = momentum, Dampening = dampening, WeightDecay = weightDecay, Nesterov = nesterov,
            };
            WorkerPool.ForChunks(p.Length, ChunkElements, ref work);
        }
    }

    private struct SgdWork : IRangeWork
    {
        public float* P, G, B;
        public bool HasMomentumBuffer, FirstStep, Nesterov;
        public float Lr, Momentum, Dampening, WeightDecay;

        public readonly void Execute(int start, int count) =>
            SgdRange(new Span<float>(P + start, count), new ReadOnlySpan<float>(G + start, count),
                HasMomentumBuffer ? new Span<float>(B + start, count) : default,
                FirstStep, Lr, Momentum, Dampening, WeightDecay, Nesterov);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SgdRange(Span<float> p, ReadOnlySpan<float> g, Span<float> momentumBuffer, bool firstStep,
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
    public static void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> expAvg, Span<float> expAvgSq, Span<float> maxExpAvgSq,
        float stepSize, float biasCorrection2Sqrt, float beta1, float beta2, float eps, float weightDecay)
    {
        fixed (float* pp = p, pg = g, pm = expAvg, pv = expAvgSq, pmax = maxExpAvgSq)
        {
            var work = new AdamWork
            {
                P = pp, G = pg, M = pm, V = pv, Max = pmax, Amsgrad = !maxExpAvgSq.IsEmpty, StepSize = stepSize,
                BiasCorrection2Sqrt = biasCorrection2Sqrt, Beta1 = beta1, Beta2 = beta2, Eps = eps, WeightDecay = weightDecay,
            };
            WorkerPool.ForChunks(p.Length, ChunkElements, ref work);
        }
    }

    private struct AdamWork : IRangeWork
    {
        public float* P, G, M, V, Max;
        public bool Amsgrad;
        public float StepSize, BiasCorrection2Sqrt, Beta1, Beta2, Eps, WeightDecay;

        public readonly void Execute(int start, int count) =>
            AdamRange(new Span<float>(P + start, count), new ReadOnlySpan<float>(G + start, count),
                new Span<float>(M + start, count), new Span<float>(V + start, count),
                Amsgrad ? new Span<float>(Max + start, count) : default,
                StepSize, BiasCorrection2Sqrt, Beta1, Beta2, Eps, WeightDecay);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AdamRange(Span<float> p, ReadOnlySpan<float> g, Span<float> expAvg, Span<float> expAvgSq, Span<float> maxExpAvgSq,
        float stepSize, float biasCorrection2Sqrt, float beta1, float beta2, float eps, float weightDecay)
    {
        bool amsgrad = !maxExpAvgSq.IsEmpty;
        float rest1 = 1f - beta1, rest2 = 1f - beta2;
        int start = 0;
        if (Vector256.IsHardwareAccelerated && !amsgrad)
        {
            // Separate multiplies and adds, and IEEE square root and division: the same roundings as below.
            var b1 = Vector256.Create(beta1);
            var b2 = Vector256.Create(beta2);
            var r1 = Vector256.Create(rest1);
            var r2 = Vector256.Create(rest2);
            var wd = Vector256.Create(weightDecay);
            var bc2 = Vector256.Create(biasCorrection2Sqrt);
            var ep = Vector256.Create(eps);
            var ss = Vector256.Create(stepSize);
            ref float pr = ref MemoryMarshal.GetReference(p);
            ref float gr = ref MemoryMarshal.GetReference(g);
            ref float mr = ref MemoryMarshal.GetReference(expAvg);
            ref float vr = ref MemoryMarshal.GetReference(expAvgSq);
            for (; start <= p.Length - 8; start += 8)
            {
                nuint i = (nuint)start;
                var pv = Vector256.LoadUnsafe(ref pr, i);
                var d = Vector256.LoadUnsafe(ref gr, i);
                if (weightDecay != 0) d += wd * pv;
                var m = Vector256.LoadUnsafe(ref mr, i) * b1 + r1 * d;
                m.StoreUnsafe(ref mr, i);
                var v = Vector256.LoadUnsafe(ref vr, i) * b2 + r2 * (d * d);
                v.StoreUnsafe(ref vr, i);
                var denom = Vector256.Sqrt(v) / bc2 + ep;
                (pv - ss * (m / denom)).StoreUnsafe(ref pr, i);
            }
        }
        for (int i = start; i < p.Length; i++)
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
