using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>The shapes of one 2-d convolution over a batch: input [N, C, H, W], weight [O, C/groups, kh, kw].</summary>
internal readonly struct ConvGeometry(int n, int c, int h, int w, int o, int groups, Window2d win)
{
    public readonly int N = n, C = c, H = h, W = w, O = o, Groups = groups;
    public readonly Window2d Win = win;
    public readonly int OutH = win.OutputH(h), OutW = win.OutputW(w);
    public int P => OutH * OutW;
    public int Cg => C / Groups;
    public int Og => O / Groups;
    /// <summary>Rows of one group's im2col matrix: C/groups·kh·kw.</summary>
    public int K => Cg * Win.KernelH * Win.KernelW;
}

/// <summary>
/// Batch drivers for convolution and pooling. Work is split by whole images over the worker pool; each
/// image's arithmetic is the same whichever thread runs it (the per-image GEMMs are called from inside a
/// task, so they run on that thread), so results are bitwise identical for any thread count.
/// </summary>
/// <remarks>
/// The forward pass runs one GEMM per image and group, W_g [og, k] · col [k, P], writing straight into
/// the image's [og, P] block of the NCHW output: no [O, N·P] product to scatter afterwards, and the im2col
/// columns are still in cache when the GEMM reads them. The input gradient is likewise one GEMM per image,
/// W_gᵀ · dY, reading dY in place, followed by col2im. Only the weight gradient needs the whole batch in
/// one GEMM (its reduction runs over N·P), so it gathers dY to [O, N·P] once.
/// </remarks>
internal static unsafe class ConvBatch
{
    // Below about this many multiply-adds, waking a worker costs more than it saves.
    private const long ParallelMinWork = 250_000;

    [ThreadStatic] private static float[]? scratch;

    // Per-thread working memory for one image's im2col or col2im columns; pinned, so it can be held as a pointer.
    private static float* Scratch(int length)
    {
        var s = scratch;
        if (s is null || s.Length < length) scratch = s = GC.AllocateUninitializedArray<float>(Math.Max(length, 4096), pinned: true);
        return (float*)Unsafe.AsPointer(ref s[0]);
    }

    private static int TaskCount(int images, long work) =>
        work < ParallelMinWork ? 1 : Math.Max(1, Math.Min(images, Threads.Count));

    private static void Run<T>(int tasks, ref T job) where T : unmanaged, IWorkItem
    {
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(tasks, ref job);
    }

    // Images [s0, s1) of task t out of tasks: contiguous ranges, so each task streams through its own memory.
    private static (int S0, int S1) Range(int n, int tasks, int t) => ((int)((long)n * t / tasks), (int)((long)n * (t + 1) / tasks));

    /// <summary>
    /// y = conv(x, w) + bias for the whole batch, then max(y, 0) if <paramref name="relu"/> (in the same pass,
    /// while each image's output is in cache). With <paramref name="col"/> non-empty ([groups, k, N·P])
    /// the im2col columns are kept there for the backward pass; otherwise each thread uses one image's worth
    /// of scratch. <paramref name="y"/> need not be initialised.
    /// </summary>
    public static void Forward(in ConvGeometry g, ReadOnlySpan<float> x, ReadOnlySpan<float> w, ReadOnlySpan<float> bias,
        Span<float> y, Span<float> col, bool relu = false)
    {
        if (g.N == 0 || g.P == 0) return;
        fixed (float* px = x, pw = w, pb = bias, py = y, pc = col)
        {
            var job = new ForwardJob
            {
                G = g, X = px, Wt = pw, Bias = bias.IsEmpty ? null : pb, Y = py, Col = col.IsEmpty ? null : pc, Relu = relu,
            };
            job.Tasks = TaskCount(g.N, (long)g.N * g.O * g.K * g.P);
            Run(job.Tasks, ref job);
        }
    }

    private struct ForwardJob : IWorkItem
    {
        public ConvGeometry G;
        public float* X, Wt, Bias, Y, Col;
        public int Tasks;
        public bool Relu;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(G.N, Tasks, t);
            int k = G.K, p = G.P, og = G.Og, cg = G.Cg, hw = G.H * G.W;
            nint ld = Col != null ? (nint)G.N * p : p;
            float* own = Col == null ? Scratch(k * p) : null;
            for (int s = s0; s < s1; s++)
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    float* colG = Col != null ? Col + (nint)gi * k * ld + (nint)s * p : own;
                    Conv.Im2Col(X + ((nint)s * G.C + gi * cg) * hw, cg, G.H, G.W, G.Win, colG, ld);
                    float* yG = Y + ((nint)s * G.O + gi * og) * p;
                    Gemm.Sgemm(false, false, og, p, k, 1f, new ReadOnlySpan<float>(Wt + (nint)gi * og * k, og * k), k,
                        new ReadOnlySpan<float>(colG, (int)((k - 1) * ld + p)), (int)ld, 0f, new Span<float>(yG, og * p), p);
                    if (Bias != null)
                        for (int o = 0; o < og; o++) AddScalar(yG + (nint)o * p, Bias[gi * og + o], p);
                    if (Relu) ApplyRelu(yG, og * p);
                }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScalar(float* row, float value, int count)
    {
        var v = Vector256.Create(value);
        int i = 0;
        for (; i <= count - 8; i += 8) Vector256.Store(Vector256.Load(row + i) + v, row + i);
        for (; i < count; i++) row[i] += value;
    }

    // The same arithmetic as the ReLU op (ReluOp), so fused and separate layers agree bit for bit.
    private static void ApplyRelu(float* row, int count)
    {
        var op = default(ReluOp);
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
            for (; i <= count - 8; i += 8) Vector256.Store(op.Invoke(Vector256.Load(row + i)), row + i);
        for (; i < count; i++) row[i] = op.Invoke(row[i]);
    }

    /// <summary>dx = col2im(Wᵀ · dY) per image; <paramref name="dx"/> need not be initialised.</summary>
    public static void BackwardInput(in ConvGeometry g, ReadOnlySpan<float> dy, ReadOnlySpan<float> w, Span<float> dx)
    {
        if (g.N == 0) return;
        fixed (float* pdy = dy, pw = w, pdx = dx)
        {
            var job = new BackwardInputJob { G = g, Dy = pdy, Wt = pw, Dx = pdx };
            job.Tasks = TaskCount(g.N, (long)g.N * g.O * g.K * g.P);
            Run(job.Tasks, ref job);
        }
    }

    private struct BackwardInputJob : IWorkItem
    {
        public ConvGeometry G;
        public float* Dy, Wt, Dx;
        public int Tasks;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(G.N, Tasks, t);
            int k = G.K, p = G.P, og = G.Og, cg = G.Cg, hw = G.H * G.W;
            float* dcol = Scratch(k * p);
            for (int s = s0; s < s1; s++)
                for (int gi = 0; gi < G.Groups; gi++)
                {
                    float* dxG = Dx + ((nint)s * G.C + gi * cg) * hw;
                    new Span<float>(dxG, cg * hw).Clear();
                    if (p == 0) continue;
                    Gemm.Sgemm(true, false, k, p, og, 1f, new ReadOnlySpan<float>(Wt + (nint)gi * og * k, og * k), k,
                        new ReadOnlySpan<float>(Dy + ((nint)s * G.O + gi * og) * p, og * p), p, 0f, new Span<float>(dcol, k * p), p);
                    Conv.Col2Im(dcol, cg, G.H, G.W, G.Win, dxG, p);
                }
        }
    }

    /// <summary>dyT[o, s·P + p] = dy[s, o, p]: the layout in which dW = dY·colᵀ is one GEMM over the batch.</summary>
    public static void GatherChannels(ReadOnlySpan<float> dy, int n, int o, int p, Span<float> dyT)
    {
        if (n == 0 || p == 0) return;
        fixed (float* pdy = dy, pt = dyT)
        {
            var job = new GatherJob { Dy = pdy, DyT = pt, N = n, O = o, P = p };
            job.Tasks = TaskCount(n, (long)n * o * p * 8);
            Run(job.Tasks, ref job);
        }
    }

    private struct GatherJob : IWorkItem
    {
        public float* Dy, DyT;
        public int N, O, P, Tasks;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint ld = (nint)N * P;
            for (int s = s0; s < s1; s++)
                for (int o = 0; o < O; o++)
                    Unsafe.CopyBlockUnaligned(DyT + o * ld + (nint)s * P, Dy + ((nint)s * O + o) * P, (uint)P * sizeof(float));
        }
    }

    /// <summary>
    /// dW_g = dY_g · col_gᵀ for each group, from dY gathered to [O, N·P] and the forward pass's col
    /// [groups, k, N·P]. The product is [og, k] with a reduction over all of N·P; it is computed as it stands
    /// or transposed (col_g · dY_gᵀ = dW_gᵀ, then a small transpose), whichever fills the GEMM's 6×16 tiles
    /// better: LeNet's second layer (og = 16, k = 150) runs about 1.5× faster transposed, its first
    /// (og = 6, k = 25) as it stands. The choice depends on the shapes only, never on the thread count.
    /// </summary>
    public static void WeightGrad(in ConvGeometry g, ReadOnlySpan<float> dyT, ReadOnlySpan<float> col, Span<float> dw)
    {
        int og = g.Og, k = g.K, np = g.N * g.P;
        static double Fill(int rows, int cols) => rows / (double)RoundUp(rows, 6) * (cols / (double)RoundUp(cols, 16));
        bool transposed = Fill(k, og) > Fill(og, k);
        float* t = transposed ? Scratch(k * og) : null;
        for (int gi = 0; gi < g.Groups; gi++)
        {
            var dyG = dyT.Slice(gi * og * np, og * np);
            var colG = col.Slice(gi * k * np, k * np);
            var dwG = dw.Slice(gi * og * k, og * k);
            if (!transposed)
            {
                Gemm.Sgemm(false, true, og, k, np, 1f, dyG, np, colG, np, 0f, dwG, k);
                continue;
            }
            var tt = new Span<float>(t, k * og);
            Gemm.Sgemm(false, true, k, og, np, 1f, colG, np, dyG, np, 0f, tt, og);
            for (int o = 0; o < og; o++)
                for (int r = 0; r < k; r++) dwG[o * k + r] = tt[r * og + o];
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>sums[r] = Σ_j m[r, j] over a [rows, cols] matrix, in a fixed order (8 lanes × 4 chains, then a fixed tree).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void RowSums(ReadOnlySpan<float> m, int rows, int cols, Span<float> sums)
    {
        fixed (float* pm = m)
            for (int r = 0; r < rows; r++)
            {
                float* row = pm + (nint)r * cols;
                var a0 = Vector256<float>.Zero;
                var a1 = Vector256<float>.Zero;
                var a2 = Vector256<float>.Zero;
                var a3 = Vector256<float>.Zero;
                int j = 0;
                for (; j <= cols - 32; j += 32)
                {
                    a0 += Vector256.Load(row + j);
                    a1 += Vector256.Load(row + j + 8);
                    a2 += Vector256.Load(row + j + 16);
                    a3 += Vector256.Load(row + j + 24);
                }
                for (; j <= cols - 8; j += 8) a0 += Vector256.Load(row + j);
                var v = (a0 + a1) + (a2 + a3);
                double sum = 0;
                for (int l = 0; l < 8; l++) sum += v.GetElement(l);
                for (; j < cols; j++) sum += row[j];
                sums[r] = (float)sum;
            }
    }

    /// <summary>Max pooling of [N, C, H, W] image by image; an empty <paramref name="argmax"/> skips the indices.</summary>
    public static void MaxPool(ReadOnlySpan<float> x, int n, int c, int h, int w, in Window2d win, Span<float> y, Span<float> argmax)
    {
        if (n == 0) return;
        fixed (float* px = x, py = y, pa = argmax)
        {
            var job = new MaxPoolJob { X = px, Y = py, Argmax = argmax.IsEmpty ? null : pa, C = c, H = h, W = w, Win = win, N = n };
            job.Tasks = TaskCount(n, (long)n * c * h * w * 4);
            Run(job.Tasks, ref job);
        }
    }

    private struct MaxPoolJob : IWorkItem
    {
        public float* X, Y, Argmax;
        public int N, C, H, W, Tasks;
        public Window2d Win;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint inPlane = (nint)C * H * W, outPlane = (nint)C * Win.OutputH(H) * Win.OutputW(W);
            for (int s = s0; s < s1; s++)
                Conv.MaxPool(X + s * inPlane, C, H, W, Win, Y + s * outPlane, Argmax == null ? null : Argmax + s * outPlane);
        }
    }

    /// <summary>dx[argmax] += dy, image by image; <paramref name="dx"/> must be zero-filled.</summary>
    public static void MaxPoolBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> argmax, int n, int c, int outPlane, int inPlane, Span<float> dx)
    {
        if (n == 0) return;
        fixed (float* pdy = dy, pa = argmax, pdx = dx)
        {
            var job = new MaxPoolBackwardJob { Dy = pdy, Argmax = pa, Dx = pdx, N = n, C = c, OutPlane = outPlane, InPlane = inPlane };
            job.Tasks = TaskCount(n, (long)n * c * inPlane * 4);
            Run(job.Tasks, ref job);
        }
    }

    private struct MaxPoolBackwardJob : IWorkItem
    {
        public float* Dy, Argmax, Dx;
        public int N, C, OutPlane, InPlane, Tasks;

        public readonly void Execute(int t)
        {
            var (s0, s1) = Range(N, Tasks, t);
            nint o = (nint)C * OutPlane, i = (nint)C * InPlane;
            for (int s = s0; s < s1; s++)
                Conv.MaxPoolBackward(Dy + s * o, Argmax + s * o, C, OutPlane, InPlane, Dx + s * i);
        }
    }
}
