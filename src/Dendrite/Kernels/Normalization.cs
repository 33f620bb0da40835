using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>
/// Batch normalisation (optionally followed by ReLU) over [N, C, S] data — S = H·W for images, 1 for
/// [N, C] — in as few passes over memory as the math allows. Training forward: one pass for the per-channel
/// statistics, one for y = relu?(x·a + b) with a = γ/√(σ² + ε) and b = β − μ·a. Backward: one pass for the
/// two per-channel sums Σg and Σg·(x − μ), where g is dY masked by the ReLU (recomputed from x, so the
/// output need not be kept), one for dx. The reductions are split over the worker pool by channel, each
/// channel summed by one thread in a fixed order, so the results do not depend on the thread count.
/// </summary>
internal static unsafe class Normalization
{
    // Below about this many elements, waking a worker costs more than it saves.
    private const long ParallelMinElements = 32_768;

    private static int TaskCount(int channels, long elements) =>
        elements < ParallelMinElements ? 1 : Math.Max(1, Math.Min(channels, Threads.Count));

    private static void Run<T>(int tasks, ref T job) where T : unmanaged, IWorkItem
    {
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(tasks, ref job);
    }

    private static (int C0, int C1) Range(int c, int tasks, int t) => ((int)((long)c * t / tasks), (int)((long)c * (t + 1) / tasks));

    /// <summary>
    /// The batch mean and biased variance of each channel. The sums are taken of x − K, K the channel's
    /// first element, so a channel whose mean is large against its spread loses no precision to
    /// E[x²] − E[x]²; each plane is summed in float vectors and the planes in double.
    /// </summary>
    public static void Statistics(ReadOnlySpan<float> x, int n, int c, int s, Span<float> mean, Span<float> variance)
    {
        fixed (float* px = x, pm = mean, pv = variance)
        {
            var job = new StatisticsJob { X = px, Mean = pm, Var = pv, N = n, C = c, S = s };
            job.Tasks = TaskCount(c, (long)n * c * s);
            Run(job.Tasks, ref job);
        }
    }

    private struct StatisticsJob : IWorkItem
    {
        public float* X, Mean, Var;
        public int N, C, S, Tasks;

        public readonly void Execute(int t)
        {
            var (c0, c1) = Range(C, Tasks, t);
            for (int ch = c0; ch < c1; ch++)
            {
                float k = X[(nint)ch * S];
                double sum = 0, squares = 0;
                for (int i = 0; i < N; i++)
                {
                    var (a, b) = ShiftedSums(X + ((nint)i * C + ch) * S, S, k);
                    sum += a;
                    squares += b;
                }
                double count = (double)N * S, m = sum / count;
                Mean[ch] = (float)(k + m);
                Var[ch] = (float)Math.Max(squares / count - m * m, 0);
            }
        }
    }

    // Σ(x − k) and Σ(x − k)² over one plane: two chains per sum, then a fixed tree.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double Sum, double Squares) ShiftedSums(float* row, int count, float k)
    {
        var kv = Vector256.Create(k);
        Vector256<float> s0 = default, s1 = default, q0 = default, q1 = default;
        int j = 0;
        for (; j <= count - 16; j += 16)
        {
            var d0 = Vector256.Load(row + j) - kv;
            var d1 = Vector256.Load(row + j + 8) - kv;
            s0 += d0;
            s1 += d1;
            q0 = Vector256.FusedMultiplyAdd(d0, d0, q0);
            q1 = Vector256.FusedMultiplyAdd(d1, d1, q1);
        }
        for (; j <= count - 8; j += 8)
        {
            var d = Vector256.Load(row + j) - kv;
            s0 += d;
            q0 = Vector256.FusedMultiplyAdd(d, d, q0);
        }
        double sum = Vector256.Sum(s0 + s1), squares = Vector256.Sum(q0 + q1);
        for (; j < count; j++)
        {
            float d = row[j] - k;
            sum += d;
            squares += d * d;
        }
        return (sum, squares);
    }

    /// <summary>
    /// y = x·a[c] + b[c], then max(·, 0) with <paramref name="relu"/>: the normalisation, its affine map and
    /// the ReLU in one pass. Each element's arithmetic is one fused multiply-add, however the work is split.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> x, int n, int c, int s, ReadOnlySpan<float> a, ReadOnlySpan<float> b, bool relu, Span<float> y)
    {
        fixed (float* px = x, pa = a, pb = b, py = y)
        {
            var job = new ApplyJob { X = px, A = pa, B = pb, Y = py, C = c, S = s, Relu = relu, Planes = n * c };
            job.Tasks = TaskCount(n * c, (long)n * c * s);
            Run(job.Tasks, ref job);
        }
    }

    private struct ApplyJob : IWorkItem
    {
        public float* X, A, B, Y;
        public int C, S, Planes, Tasks;
        public bool Relu;

        public readonly void Execute(int t)
        {
            var (p0, p1) = Range(Planes, Tasks, t);
            for (int p = p0; p < p1; p++)
            {
                int ch = p % C;
                float* x = X + (nint)p * S, y = Y + (nint)p * S;
                float a = A[ch], b = B[ch];
                var av = Vector256.Create(a);
                var bv = Vector256.Create(b);
                int j = 0;
                for (; j <= S - 8; j += 8)
                {
                    var v = Vector256.FusedMultiplyAdd(Vector256.Load(x + j), av, bv);
                    Vector256.Store(Relu ? default(ReluOp).Invoke(v) : v, y + j);
                }
                for (; j < S; j++)
                {
                    float v = MathF.FusedMultiplyAdd(x[j], a, b);
                    y[j] = Relu ? default(ReluOp).Invoke(v) : v;
                }
            }
        }
    }

    /// <summary>
    /// The backward pass of <see cref="Apply"/> after batch statistics, for input x, the forward pass's a and b
    /// (to recompute the ReLU's mask), the batch mean and 1/√(σ² + ε). g = dY where x·a + b &gt; 0 (all of dY
    /// without ReLU); with M = N·S, x̂ = (x − μ)·invstd: dβ = Σg, dγ = Σg·x̂ and
    /// dx = a·(g − dβ/M − x̂·dγ/M); without <paramref name="batchStatistics"/> (μ and σ² were the running
    /// estimates, constants) dx = a·g. Empty spans skip what they would receive.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> x, ReadOnlySpan<float> dy, int n, int c, int s,
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> mean, ReadOnlySpan<float> invStd, bool relu,
        bool batchStatistics, Span<float> dx, Span<float> dGamma, Span<float> dBeta)
    {
        fixed (float* px = x, pdy = dy, pa = a, pb = b, pm = mean, pi = invStd, pdx = dx, pdg = dGamma, pdb = dBeta)
        {
            var job = new BackwardJob
            {
                X = px, Dy = pdy, A = pa, B = pb, Mean = pm, InvStd = pi, Dx = dx.IsEmpty ? null : pdx,
                DGamma = dGamma.IsEmpty ? null : pdg, DBeta = dBeta.IsEmpty ? null : pdb, N = n, C = c, S = s, Relu = relu, BatchStatistics = batchStatistics,
            };
            job.Tasks = TaskCount(c, (long)n * c * s);
            Run(job.Tasks, ref job);
        }
    }

    private struct BackwardJob : IWorkItem
    {
        public float* X, Dy, A, B, Mean, InvStd, Dx, DGamma, DBeta;
        public int N, C, S, Tasks;
        public bool Relu, BatchStatistics;

        public readonly void Execute(int t)
        {
            var (c0, c1) = Range(C, Tasks, t);
            for (int ch = c0; ch < c1; ch++)
            {
                float a = A[ch], b = B[ch], mu = Mean[ch];
                double sumG = 0, sumGx = 0;
                for (int i = 0; i < N; i++)
                {
                    nint at = ((nint)i * C + ch) * S;
                    var (g, gx) = Relu ? GradientSums<Masked>(X + at, Dy + at, S, a, b, mu) : GradientSums<Unmasked>(X + at, Dy + at, S, a, b, mu);
                    sumG += g;
                    sumGx += gx;
                }
                float invStd = InvStd[ch];
                if (DBeta != null) DBeta[ch] = (float)sumG;
                if (DGamma != null) DGamma[ch] = (float)(sumGx * invStd);
                if (Dx == null) continue;
                // dx = a·g + x·k2 + k3, k2 = −a·invstd²·Σg(x−μ)/M and k3 = −a·Σg/M − μ·k2.
                double count = (double)N * S;
                float k2 = BatchStatistics ? (float)(-a * (double)invStd * invStd * sumGx / count) : 0f;
                float k3 = BatchStatistics ? (float)(-a * sumG / count - mu * (double)k2) : 0f;
                for (int i = 0; i < N; i++)
                {
                    nint at = ((nint)i * C + ch) * S;
                    if (Relu) InputGradient<Masked>(X + at, Dy + at, Dx + at, S, a, b, k2, k3);
                    else InputGradient<Unmasked>(X + at, Dy + at, Dx + at, S, a, b, k2, k3);
                }
            }
        }
    }

    // Whether g is dY masked by the ReLU that followed the normalisation (x·a + b > 0), or dY itself.
    private interface IMask
    {
        static abstract Vector256<float> Apply(Vector256<float> dy, Vector256<float> x, Vector256<float> a, Vector256<float> b);

        static abstract float Apply(float dy, float x, float a, float b);
    }

    private readonly struct Masked : IMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> dy, Vector256<float> x, Vector256<float> a, Vector256<float> b) =>
            dy & Vector256.GreaterThan(Vector256.FusedMultiplyAdd(x, a, b), Vector256<float>.Zero);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float dy, float x, float a, float b) => MathF.FusedMultiplyAdd(x, a, b) > 0 ? dy : 0f;
    }

    private readonly struct Unmasked : IMask
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Apply(Vector256<float> dy, Vector256<float> x, Vector256<float> a, Vector256<float> b) => dy;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static float Apply(float dy, float x, float a, float b) => dy;
    }

    // Σg and Σg·(x − μ) over one plane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double G, double Gx) GradientSums<TMask>(float* x, float* dy, int count, float a, float b, float mu)
        where TMask : struct, IMask
    {
        var av = Vector256.Create(a);
        var bv = Vector256.Create(b);
        var mv = Vector256.Create(mu);
        Vector256<float> g0 = default, g1 = default, h0 = default, h1 = default;
        int j = 0;
        for (; j <= count - 16; j += 16)
        {
            var x0 = Vector256.Load(x + j);
            var x1 = Vector256.Load(x + j + 8);
            var d0 = TMask.Apply(Vector256.Load(dy + j), x0, av, bv);
            var d1 = TMask.Apply(Vector256.Load(dy + j + 8), x1, av, bv);
            g0 += d0;
            g1 += d1;
            h0 = Vector256.FusedMultiplyAdd(d0, x0 - mv, h0);
            h1 = Vector256.FusedMultiplyAdd(d1, x1 - mv, h1);
        }
        for (; j <= count - 8; j += 8)
        {
            var x0 = Vector256.Load(x + j);
            var d0 = TMask.Apply(Vector256.Load(dy + j), x0, av, bv);
            g0 += d0;
            h0 = Vector256.FusedMultiplyAdd(d0, x0 - mv, h0);
        }
        double g = Vector256.Sum(g0 + g1), h = Vector256.Sum(h0 + h1);
        for (; j < count; j++)
        {
            float d = TMask.Apply(dy[j], x[j], a, b);
            g += d;
            h += d * (x[j] - mu);
        }
        return (g, h);
    }

    // dx = a·g + (x·k2 + k3) over one plane.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void InputGradient<TMask>(float* x, float* dy, float* dx, int count, float a, float b, float k2, float k3)
        where TMask : struct, IMask
    {
        var av = Vector256.Create(a);
        var bv = Vector256.Create(b);
        var k2v = Vector256.Create(k2);
        var k3v = Vector256.Create(k3);
        int j = 0;
        for (; j <= count - 8; j += 8)
        {
            var xv = Vector256.Load(x + j);
            var g = TMask.Apply(Vector256.Load(dy + j), xv, av, bv);
            Vector256.Store(Vector256.FusedMultiplyAdd(av, g, Vector256.FusedMultiplyAdd(xv, k2v, k3v)), dx + j);
        }
        for (; j < count; j++)
        {
            float g = TMask.Apply(dy[j], x[j], a, b);
            dx[j] = MathF.FusedMultiplyAdd(a, g, MathF.FusedMultiplyAdd(x[j], k2, k3));
        }
    }
}
