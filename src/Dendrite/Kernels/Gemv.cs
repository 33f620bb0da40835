using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>
/// Matrix-vector products, the m = 1 and n = 1 cases of <see cref="Gemm"/> (batch-1 inference is one per
/// layer) and op(A)·Bᵀ for a few rows of A:
/// y[i·incY] = act(α·Σ_p M(i, p)·x[p] + β·y[i·incY] + bias[i·biasStride]) for i in [0, len).
/// <see cref="Rows"/> takes M(i, p) = m[i·ldm + p] (each output is a dot product with a contiguous row);
/// <see cref="Columns"/> takes M(i, p) = m[p·ldm + i] (the matrix is streamed row by row into a block of
/// outputs held in registers). Either way the matrix is read exactly once, with no packing.
/// </summary>
/// <remarks>
/// A matrix-vector product does two flops per matrix element it loads, so its speed is the speed at which
/// the matrix arrives (on the Zen 3 here about 55 GB/s per core from L2 and 45 GB/s from L3). With several
/// threads each takes a fixed slice of the outputs, so each core streams only its share; the same thread
/// tends to take the same slice on every call (see <see cref="Job"/>), so whatever part of its share its
/// L2 keeps between calls is not fetched again. Every output element has one fixed sequence of
/// operations, whichever slice or kernel variant computes it, so results are bitwise identical for any
/// thread count.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class Gemv
{
    // Below this many matrix elements a single thread finishes before a worker would have woken.
    private const long ParallelMinElements = 24 * 1024;
    // Rows are handed out 4 at a time (the dot kernel's block) and columns 16 at a time (one cache line).
    private const int RowUnit = 4;
    private const int ColumnUnit = 16;
    private const int MaxTasks = 64;

    /// <summary>α, β, bias and activation applied to each finished dot product, in FinishRow's order.</summary>
    internal struct Epilogue
    {
        public float Alpha, Beta;
        public float* Bias;
        public nint BiasStride;
        public bool Relu;
    }

    /// <summary>y[i·incY] from the dot product of row i of m (stride ldm) with x, for i in [0, len).</summary>
    public static void Rows(float* m, nint ldm, int len, int k, float* x, float* y, nint incY, in Epilogue e, bool avx)
        => Run(true, m, ldm, len, k, x, 0, 1, y, 0, incY, in e, avx);

    /// <summary>
    /// <see cref="Rows"/> for <paramref name="vectors"/> vectors at once (x_r = x + r·ldx into y_r = y + r·ldy,
    /// incY 1): C = X·Mᵀ for a handful of rows X, as in small-batch inference. Each group of rows of m is
    /// loaded once and reused from L1 for every vector, and every output gets exactly the arithmetic that
    /// <see cref="Rows"/> gives it, so a row's result does not depend on the batch around it.
    /// </summary>
    public static void RowsBatch(float* m, nint ldm, int len, int k, float* x, nint ldx, int vectors, float* y,
        nint ldy, in Epilogue e, bool avx)
        => Run(true, m, ldm, len, k, x, ldx, vectors, y, ldy, 1, in e, avx);

    /// <summary>y[i·incY] = Σ_p x[p]·m[p·ldm + i], for i in [0, len).</summary>
    public static void Columns(float* m, nint ldm, int len, int k, float* x, float* y, nint incY, in Epilogue e, bool avx)
        => Run(false, m, ldm, len, k, x, 0, 1, y, 0, incY, in e, avx);

    private static void Run(bool byRows, float* m, nint ldm, int len, int k, float* x, nint ldx, int vectors,
        float* y, nint ldy, nint incY, in Epilogue e, bool avx)
    {
        int unit = byRows ? RowUnit : ColumnUnit;
        int units = (len + unit - 1) / unit;
        int threads = (long)len * k * vectors >= ParallelMinElements ? Threads.Count : 1;
        int tasks = Math.Min(Math.Min(threads, units), MaxTasks);
        var job = new Job
        {
            M = m, X = x, Y = y, Ldm = ldm, IncY = incY, Len = len, K = k, E = e, ByRows = byRows, Avx = avx,
            Ldx = ldx, Ldy = ldy, Vectors = vectors, Unit = unit, Units = units, Tasks = tasks,
        };
        if (tasks == 1)
        {
            job.Slice(0);
            return;
        }
        int* claimed = stackalloc int[tasks];
        new Span<int>(claimed, tasks).Clear();
        job.Claimed = claimed;
        job.Caller = Environment.CurrentManagedThreadId;
        WorkerPool.Run(tasks, ref job);
    }

    /// <summary>
    /// One slice of the outputs per task. The pool hands task indices to whichever thread asks first, which
    /// would let the slices swap cores from call to call (and the weights with them, from one L2 to the
    /// other); instead the calling thread prefers slice 0 and each worker a slice of its own, falling back
    /// to any slice still unclaimed. Which thread computes a slice never changes its arithmetic.
    /// </summary>
    private struct Job : IWorkItem
    {
        public float* M, X, Y;
        public nint Ldm, IncY, Ldx, Ldy;
        public int Len, K, Vectors, Unit, Units, Tasks, Caller;
        public int* Claimed;
        public Epilogue E;
        public bool ByRows, Avx;

        [ThreadStatic] private static int workerSlot;
        private static int slotsGiven;

        public readonly void Execute(int index)
        {
            int preferred = 0;
            if (Environment.CurrentManagedThreadId != Caller)
            {
                if (workerSlot == 0) workerSlot = Interlocked.Increment(ref slotsGiven);
                preferred = 1 + (workerSlot - 1) % (Tasks - 1);
            }
            for (int i = 0; i < Tasks; i++)
            {
                int s = (preferred + i) % Tasks;
                if (Interlocked.CompareExchange(ref Claimed[s], 1, 0) == 0)
                {
                    Slice(s);
                    return;
                }
            }
        }

        public readonly void Slice(int s)
        {
            int u0 = (int)((long)Units * s / Tasks), u1 = (int)((long)Units * (s + 1) / Tasks);
            int i0 = u0 * Unit, i1 = Math.Min(Len, u1 * Unit);
            if (ByRows)
            {
                if (Avx) RowsAvx(M, Ldm, i0, i1, K, X, Ldx, Vectors, Y, Ldy, IncY, in E);
                else RowsPortable(M, Ldm, i0, i1, K, X, Ldx, Vectors, Y, Ldy, IncY, in E);
            }
            else
            {
                if (Avx) ColumnsAvx(M, Ldm, i0, i1, K, X, Y, IncY, in E);
                else ColumnsPortable(M, Ldm, i0, i1, K, X, Y, IncY, in E);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(in Epilogue e, float* acc, int count, int i0, float* y, nint incY)
    {
        for (int j = 0; j < count; j++)
        {
            int i = i0 + j;
            float v = e.Alpha * acc[j];
            if (e.Beta != 0f) v += e.Beta * y[i * incY];
            if (e.Bias != null) v += e.Bias[i * e.BiasStride];
            if (e.Relu) v = v < 0f ? 0f : v;
            y[i * incY] = v;
        }
    }

    // ---- Dot products with contiguous rows ----------------------------------------------------------

    /// <summary>
    /// Four rows at a time, so each load of x serves four rows and eight FMA chains run side by side. A
    /// last group of fewer than four rows repeats its final row in the missing places: every row then goes
    /// through this one kernel, whose per-row arithmetic (two 8-lane accumulators over 16-element steps,
    /// an 8-element step, a fixed-order horizontal sum, scalar FMAs for the rest) never depends on the group.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsAvx(float* m, nint ldm, int i0, int i1, int k, float* xs, nint ldx, int vectors,
        float* ys, nint ldy, nint incY, in Epilogue e)
    {
        float* acc = stackalloc float[RowUnit];
        for (int i = i0; i < i1; i += RowUnit)
        {
            int count = Math.Min(RowUnit, i1 - i);
            float* r0 = m + i * ldm;
            float* r1 = m + (i + Math.Min(1, count - 1)) * ldm;
            float* r2 = m + (i + Math.Min(2, count - 1)) * ldm;
            float* r3 = m + (i + Math.Min(3, count - 1)) * ldm;
            for (int v = 0; v < vectors; v++)
            {
                float* x = xs + v * ldx;
                Vector256<float> a0 = default, b0 = default, a1 = default, b1 = default;
                Vector256<float> a2 = default, b2 = default, a3 = default, b3 = default;
                int p = 0;
                for (; p <= k - 16; p += 16)
                {
                    var x0 = Avx.LoadVector256(x + p);
                    var x1 = Avx.LoadVector256(x + p + 8);
                    a0 = Fma.MultiplyAdd(Avx.LoadVector256(r0 + p), x0, a0);
                    b0 = Fma.MultiplyAdd(Avx.LoadVector256(r0 + p + 8), x1, b0);
                    a1 = Fma.MultiplyAdd(Avx.LoadVector256(r1 + p), x0, a1);
                    b1 = Fma.MultiplyAdd(Avx.LoadVector256(r1 + p + 8), x1, b1);
                    a2 = Fma.MultiplyAdd(Avx.LoadVector256(r2 + p), x0, a2);
                    b2 = Fma.MultiplyAdd(Avx.LoadVector256(r2 + p + 8), x1, b2);
                    a3 = Fma.MultiplyAdd(Avx.LoadVector256(r3 + p), x0, a3);
                    b3 = Fma.MultiplyAdd(Avx.LoadVector256(r3 + p + 8), x1, b3);
                }
                if (p <= k - 8)
                {
                    var x0 = Avx.LoadVector256(x + p);
                    a0 = Fma.MultiplyAdd(Avx.LoadVector256(r0 + p), x0, a0);
                    a1 = Fma.MultiplyAdd(Avx.LoadVector256(r1 + p), x0, a1);
                    a2 = Fma.MultiplyAdd(Avx.LoadVector256(r2 + p), x0, a2);
                    a3 = Fma.MultiplyAdd(Avx.LoadVector256(r3 + p), x0, a3);
                    p += 8;
                }
                float s0 = SumAvx(a0, b0), s1 = SumAvx(a1, b1), s2 = SumAvx(a2, b2), s3 = SumAvx(a3, b3);
                for (; p < k; p++)
                {
                    float xp = x[p];
                    s0 = MathF.FusedMultiplyAdd(r0[p], xp, s0);
                    s1 = MathF.FusedMultiplyAdd(r1[p], xp, s1);
                    s2 = MathF.FusedMultiplyAdd(r2[p], xp, s2);
                    s3 = MathF.FusedMultiplyAdd(r3[p], xp, s3);
                }
                acc[0] = s0;
                acc[1] = s1;
                acc[2] = s2;
                acc[3] = s3;
                Finish(in e, acc, count, i, ys + v * ldy, incY);
            }
        }
    }

    /// <summary>The lanes of a + b summed in a fixed order: halves, then pairs, then the last two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumAvx(Vector256<float> a, Vector256<float> b)
    {
        var s = Avx.Add(a, b);
        var q = Sse.Add(s.GetLower(), s.GetUpper());
        q = Sse.Add(q, Sse.MoveHighToLow(q, q));
        q = Sse.AddScalar(q, Sse.Shuffle(q, q, 0x55));
        return q.ToScalar();
    }

    /// <summary><see cref="RowsAvx"/> with 4-lane vectors and separate multiply and add, for CPUs without AVX2/FMA.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void RowsPortable(float* m, nint ldm, int i0, int i1, int k, float* xs, nint ldx, int vectors,
        float* ys, nint ldy, nint incY, in Epilogue e)
    {
        float* acc = stackalloc float[RowUnit];
        for (int i = i0; i < i1; i += RowUnit)
        {
            int count = Math.Min(RowUnit, i1 - i);
            float* r0 = m + i * ldm;
            float* r1 = m + (i + Math.Min(1, count - 1)) * ldm;
            float* r2 = m + (i + Math.Min(2, count - 1)) * ldm;
            float* r3 = m + (i + Math.Min(3, count - 1)) * ldm;
            for (int v = 0; v < vectors; v++)
            {
                float* x = xs + v * ldx;
                Vector128<float> a0 = default, b0 = default, a1 = default, b1 = default;
                Vector128<float> a2 = default, b2 = default, a3 = default, b3 = default;
                int p = 0;
                for (; p <= k - 8; p += 8)
                {
                    var x0 = Vector128.Load(x + p);
                    var x1 = Vector128.Load(x + p + 4);
                    a0 += Vector128.Load(r0 + p) * x0;
                    b0 += Vector128.Load(r0 + p + 4) * x1;
                    a1 += Vector128.Load(r1 + p) * x0;
                    b1 += Vector128.Load(r1 + p + 4) * x1;
                    a2 += Vector128.Load(r2 + p) * x0;
                    b2 += Vector128.Load(r2 + p + 4) * x1;
                    a3 += Vector128.Load(r3 + p) * x0;
                    b3 += Vector128.Load(r3 + p + 4) * x1;
                }
                if (p <= k - 4)
                {
                    var x0 = Vector128.Load(x + p);
                    a0 += Vector128.Load(r0 + p) * x0;
                    a1 += Vector128.Load(r1 + p) * x0;
                    a2 += Vector128.Load(r2 + p) * x0;
                    a3 += Vector128.Load(r3 + p) * x0;
                    p += 4;
                }
                float s0 = SumPortable(a0, b0), s1 = SumPortable(a1, b1), s2 = SumPortable(a2, b2), s3 = SumPortable(a3, b3);
                for (; p < k; p++)
                {
                    float xp = x[p];
                    s0 += r0[p] * xp;
                    s1 += r1[p] * xp;
                    s2 += r2[p] * xp;
                    s3 += r3[p] * xp;
                }
                acc[0] = s0;
                acc[1] = s1;
                acc[2] = s2;
                acc[3] = s3;
                Finish(in e, acc, count, i, ys + v * ldy, incY);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float SumPortable(Vector128<float> a, Vector128<float> b)
    {
        var s = a + b;
        return (s.GetElement(0) + s.GetElement(2)) + (s.GetElement(1) + s.GetElement(3));
    }

    // ---- Row-by-row streaming into a block of outputs ----------------------------------------------

    /// <summary>
    /// Blocks of 64 outputs held in eight accumulators while the matrix streams past one row (p) at a time;
    /// then blocks of 8; then single outputs. Each output is the same FMA chain over p = 0, 1, ... in every
    /// variant (a scalar FMA rounds exactly like one lane of a vector FMA), so the split does not matter.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsAvx(float* m, nint ldm, int i0, int i1, int k, float* x, float* y, nint incY,
        in Epilogue e)
    {
        float* acc = stackalloc float[64];
        int i = i0;
        for (; i <= i1 - 64; i += 64)
        {
            Vector256<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector256<float> c4 = default, c5 = default, c6 = default, c7 = default;
            float* row = m + i;
            for (int p = 0; p < k; p++, row += ldm)
            {
                var xp = Vector256.Create(x[p]);
                c0 = Fma.MultiplyAdd(Avx.LoadVector256(row), xp, c0);
                c1 = Fma.MultiplyAdd(Avx.LoadVector256(row + 8), xp, c1);
                c2 = Fma.MultiplyAdd(Avx.LoadVector256(row + 16), xp, c2);
                c3 = Fma.MultiplyAdd(Avx.LoadVector256(row + 24), xp, c3);
                c4 = Fma.MultiplyAdd(Avx.LoadVector256(row + 32), xp, c4);
                c5 = Fma.MultiplyAdd(Avx.LoadVector256(row + 40), xp, c5);
                c6 = Fma.MultiplyAdd(Avx.LoadVector256(row + 48), xp, c6);
                c7 = Fma.MultiplyAdd(Avx.LoadVector256(row + 56), xp, c7);
            }
            Avx.Store(acc, c0);
            Avx.Store(acc + 8, c1);
            Avx.Store(acc + 16, c2);
            Avx.Store(acc + 24, c3);
            Avx.Store(acc + 32, c4);
            Avx.Store(acc + 40, c5);
            Avx.Store(acc + 48, c6);
            Avx.Store(acc + 56, c7);
            Finish(in e, acc, 64, i, y, incY);
        }
        for (; i <= i1 - 8; i += 8)
        {
            Vector256<float> c0 = default;
            float* row = m + i;
            for (int p = 0; p < k; p++, row += ldm)
                c0 = Fma.MultiplyAdd(Avx.LoadVector256(row), Vector256.Create(x[p]), c0);
            Avx.Store(acc, c0);
            Finish(in e, acc, 8, i, y, incY);
        }
        for (; i < i1; i++)
        {
            float s = 0f;
            float* col = m + i;
            for (int p = 0; p < k; p++, col += ldm) s = MathF.FusedMultiplyAdd(*col, x[p], s);
            acc[0] = s;
            Finish(in e, acc, 1, i, y, incY);
        }
    }

    /// <summary><see cref="ColumnsAvx"/> with 4-lane vectors (blocks of 32, then 4) and separate multiply and add.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ColumnsPortable(float* m, nint ldm, int i0, int i1, int k, float* x, float* y, nint incY,
        in Epilogue e)
    {
        float* acc = stackalloc float[32];
        int i = i0;
        for (; i <= i1 - 32; i += 32)
        {
            Vector128<float> c0 = default, c1 = default, c2 = default, c3 = default;
            Vector128<float> c4 = default, c5 = default, c6 = default, c7 = default;
            float* row = m + i;
            for (int p = 0; p < k; p++, row += ldm)
            {
                var xp = Vector128.Create(x[p]);
                c0 += Vector128.Load(row) * xp;
                c1 += Vector128.Load(row + 4) * xp;
                c2 += Vector128.Load(row + 8) * xp;
                c3 += Vector128.Load(row + 12) * xp;
                c4 += Vector128.Load(row + 16) * xp;
                c5 += Vector128.Load(row + 20) * xp;
                c6 += Vector128.Load(row + 24) * xp;
                c7 += Vector128.Load(row + 28) * xp;
            }
            c0.Store(acc);
            c1.Store(acc + 4);
            c2.Store(acc + 8);
            c3.Store(acc + 12);
            c4.Store(acc + 16);
            c5.Store(acc + 20);
            c6.Store(acc + 24);
            c7.Store(acc + 28);
            Finish(in e, acc, 32, i, y, incY);
        }
        for (; i <= i1 - 4; i += 4)
        {
            Vector128<float> c0 = default;
            float* row = m + i;
            for (int p = 0; p < k; p++, row += ldm) c0 += Vector128.Load(row) * Vector128.Create(x[p]);
            c0.Store(acc);
            Finish(in e, acc, 4, i, y, incY);
        }
        for (; i < i1; i++)
        {
            float s = 0f;
            float* col = m + i;
            for (int p = 0; p < k; p++, col += ldm) s += *col * x[p];
            acc[0] = s;
            Finish(in e, acc, 1, i, y, incY);
        }
    }
}
