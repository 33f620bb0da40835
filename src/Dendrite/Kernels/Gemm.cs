using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Dendrite.Runtime;

namespace Dendrite.Kernels;

/// <summary>The instruction sets the packed GEMM has micro-kernels for, slowest first.</summary>
internal enum GemmIsa { Portable, Avx2, Avx512 }

/// <summary>
/// Single-precision general matrix multiply, row-major: C = α·op(A)·op(B) + β·C where op(A) is m×k and
/// op(B) is k×n; op(X) = Xᵀ when the matching trans flag is set. lda/ldb/ldc are the row strides of the
/// stored matrices. With β = 0, C is overwritten (its old contents, even NaN, are ignored), as in BLAS.
/// </summary>
/// <remarks>
/// The GotoBLAS/BLIS design: op(B) is packed in kc×nc blocks of NR-column micro-panels, op(A) in mc×kc
/// blocks of MR-row micro-panels (transposition happens while packing, so every case shares one
/// micro-kernel), and an MR×NR register-blocked micro-kernel multiplies a pair of micro-panels: 8×32 or
/// 6×32 with AVX-512 (whichever pads C's rows less), 6×16 with AVX2+FMA or the portable Vector128 code.
/// Every element of C sees the same fused multiply-adds in the same order with any AVX-512 or AVX2
/// kernel, so those give bitwise equal results. Edge tiles run the same kernel on a zero-padded copy.
/// Threads split C into rectangles and each element of C sees the same sequence of operations whatever
/// the split, so results are bitwise identical for any thread count. Matrix-vector and tiny shapes skip
/// packing.
/// </remarks>
internal static unsafe class Gemm
{
    // The tallest micro-tile any kernel uses (Avx512Kernel8's 8 rows); sizes the edge-tile buffer.
    private const int MaxMR = 8;
    // The widest micro-panel of B any kernel uses (AVX-512's 32 columns); sizes the edge-tile buffers.
    private const int MaxNR = 32;

    /// <summary>How many columns past n <c>SgemmRows</c> may read (and ignore) in each row of B.</summary>
    internal const int RowsReadPast = MaxNR;
    // kc·NR floats of B (16 KiB at kc = 256 and NR = 16, 32 KiB with AVX-512's NR = 32, on CPUs whose L1d
    // is 48 KiB) stay in L1 while the A micro-panels stream past; mc·kc floats of A (144 KiB) stay in a
    // 512 KiB L2; kc·nc of B (up to 4 MiB) lives in L3. kc is the same for every kernel, so that the AVX2
    // and AVX-512 kernels round partial sums into C at the same points.
    private const int KC = 256;
    private const int MC = 144;
    private const int NC = 4096;
    // Below this m·n·k, packing costs more than it saves.
    private const long DirectMaxVolume = 24 * 24 * 24;
    // Up to this many rows, op(A)·Bᵀ runs as matrix-vector products (Gemv.RowsBatch), which beat packing.
    private const int SmallBatchMaxRows = 4;
    // A reduction at least this deep into a C of at most SlicedMaxOutput elements runs in slices (Sliced).
    private const int SliceDepth = 1024;
    private const int SlicedMinDepth = 4 * SliceDepth;
    private const long SlicedMaxOutput = 4096;
    // Below this 2·m·n·k, waking a worker costs more than it saves.
    private const long ParallelMinFlops = 3_000_000;

    /// <summary>The best instruction set this CPU offers the packed kernels.</summary>
    internal static readonly GemmIsa BestIsa =
        Avx512F.IsSupported && Fma.IsSupported ? GemmIsa.Avx512
        : Avx2.IsSupported && Fma.IsSupported ? GemmIsa.Avx2
        : GemmIsa.Portable;

    private static GemmIsa isa = IsaFromEnvironment();

    /// <summary>
    /// The micro-kernel in use: <see cref="BestIsa"/> unless <c>DENDRITE_GEMM_ISA</c> (portable, avx2 or
    /// avx512) asks for a lesser one. Tests and benchmarks set it to cover every path on one machine.
    /// </summary>
    /// <exception cref="PlatformNotSupportedException">The CPU lacks the instruction set.</exception>
    internal static GemmIsa Isa
    {
        get => isa;
        set
        {
            if (value > BestIsa)
                throw new PlatformNotSupportedException($"Sgemm: this CPU cannot run the {value} kernel (best: {BestIsa})");
            isa = value;
        }
    }

    /// <summary>The instruction sets this CPU can run, slowest first.</summary>
    internal static IEnumerable<GemmIsa> SupportedIsas => Enum.GetValues<GemmIsa>().Where(i => i <= BestIsa);

    /// <summary>The width of the micro-tiles of C (NR) of the kernel in use: 32 with AVX-512, else 16.</summary>
    internal static int PanelWidth => isa == GemmIsa.Avx512 ? 32 : 16;

    /// <summary>Whether the 256-bit AVX2+FMA paths (matrix-vector kernels, packing transposes) are in use.</summary>
    internal static bool UsesAvx2 => isa >= GemmIsa.Avx2;

    private static GemmIsa IsaFromEnvironment()
    {
        var asked = Environment.GetEnvironmentVariable("DENDRITE_GEMM_ISA")?.Trim().ToLowerInvariant() switch
        {
            "portable" => GemmIsa.Portable,
            "avx2" => GemmIsa.Avx2,
            "avx512" => GemmIsa.Avx512,
            _ => BestIsa,
        };
        // A request for more than the CPU has falls back to the best it has, rather than failing at start-up.
        return asked < BestIsa ? asked : BestIsa;
    }

    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
        => Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, default, false);

    /// <summary>
    /// C = act(α·op(A)·op(B) + β·C + bias) with a fused epilogue: <paramref name="bias"/> (empty for none,
    /// else length n) is added to every row, and act is ReLU (NaN propagates) when <paramref name="relu"/>
    /// is set, identity otherwise.
    /// </summary>
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc,
        ReadOnlySpan<float> bias, bool relu)
    {
        if (m < 0 || n < 0 || k < 0)
            throw new ArgumentOutOfRangeException(nameof(m), $"Sgemm: negative size m={m}, n={n}, k={k}");
        if (m == 0 || n == 0) return;
        CheckView("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckView("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        CheckView("C", c.Length, m, n, ldc);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"Sgemm: bias has length {bias.Length}, expected n={n}", nameof(bias));

        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        {
            var g = new Args
            {
                A = pa, B = pb, C = pc, Bias = bias.IsEmpty ? null : pbias,
                M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
                TransA = transA, TransB = transB, Alpha = alpha, Beta = beta, Relu = relu, Avx = UsesAvx2, Isa = isa,
            };
            if (k == 0 || alpha == 0f) ScaleOnly(in g);
            else if (m == 1 || n == 1) MatrixVector(in g);
            else if (SmallBatch(m, n, k, transA, transB))
            {
                var e = new Gemv.Epilogue { Alpha = alpha, Beta = beta, Bias = g.Bias, BiasStride = 1, Relu = relu };
                Gemv.RowsBatch(pb, ldb, n, k, pa, lda, m, pc, ldc, in e, g.Avx);
            }
            else if ((long)m * n * k <= DirectMaxVolume) Direct(in g);
            else Packed(in g);
        }
    }

    /// <summary>
    /// op(B) (k×n) packed once for many products by <see cref="Sgemm(bool, int, int, int, float, ReadOnlySpan{float}, int, PackedB, float, Span{float}, int, ReadOnlySpan{float}, bool)"/>:
    /// a layer's weights at inference, which ONNX Runtime likewise packs when a session starts. Packed for the
    /// kernel in use when it was made (<see cref="Isa"/>); it owns its memory, so dropping it frees it.
    /// </summary>
    internal sealed class PackedB
    {
        private readonly float[] data;
        private readonly int start;

        internal PackedB(GemmIsa isa, int k, int n, int nr)
        {
            Isa = isa;
            K = k;
            N = n;
            // Every kc block holds all of N in NR-column panels, as Block reads them; 16 floats of slack align it to 64 bytes.
            data = GC.AllocateUninitializedArray<float>(RoundUp(n, nr) * k + 16, pinned: true);
            fixed (float* p = data) start = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }

        public GemmIsa Isa { get; }
        public int K { get; }
        public int N { get; }
        internal float* Pointer => (float*)Unsafe.AsPointer(ref data[start]);
    }

    /// <summary>Packs op(B) (k×n; B is stored n×k when <paramref name="transB"/>) for the kernel in use.</summary>
    internal static PackedB PackWeights(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (k < 1 || n < 1) throw new ArgumentOutOfRangeException(nameof(k), $"PackWeights: k={k}, n={n}");
        CheckView("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        var packed = new PackedB(isa, k, n, PanelWidth);
        fixed (float* pb = b)
        {
            var g = new Args { B = pb, Ldb = ldb, TransB = transB, K = k, N = n, Avx = UsesAvx2, Isa = isa };
            switch (isa)
            {
                case GemmIsa.Avx512: PackAll<Avx512Kernel>(in g, packed.Pointer); break;
                case GemmIsa.Avx2: PackAll<Avx2Kernel>(in g, packed.Pointer); break;
                default: PackAll<PortableKernel>(in g, packed.Pointer); break;
            }
        }
        return packed;
    }

    private static void PackAll<TK>(in Args g, float* dst) where TK : struct, IMicroKernel
    {
        int kc = BlockDepth(g.K), npad = RoundUp(g.N, TK.NR);
        for (int pc = 0; pc < g.K; pc += kc)
            PackB<TK>(in g, pc, Math.Min(kc, g.K - pc), 0, g.N, dst + (nint)pc * npad);
    }

    /// <summary>
    /// C = act(α·op(A)·B + β·C + bias) with B packed beforehand by <see cref="PackWeights"/>: the packed path
    /// without packing B, bitwise equal to the same product through the ordinary <c>Sgemm</c> when that takes
    /// its packed path.
    /// </summary>
    internal static void Sgemm(bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, PackedB b,
        float beta, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        if (b.K != k || b.N != n)
            throw new ArgumentException($"Sgemm: B was packed as {b.K}x{b.N}, the product needs {k}x{n}", nameof(b));
        if (b.Isa != isa)
            throw new InvalidOperationException($"Sgemm: B was packed for the {b.Isa} kernel, {isa} is in use");
        CheckView("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckView("C", c.Length, m, n, ldc);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"Sgemm: bias has length {bias.Length}, expected n={n}", nameof(bias));
        fixed (float* pa = a, pc = c, pbias = bias)
            PackedOnly(new Args
            {
                A = pa, BPacked = b.Pointer, TransA = transA, C = pc, Bias = bias.IsEmpty ? null : pbias, M = m, N = n,
                K = k, Lda = lda, Ldc = ldc, Alpha = alpha, Beta = beta, Relu = relu, Avx = UsesAvx2, Isa = isa,
            });
    }

    /// <summary>
    /// C = act(α·A·op(B) + β·C + bias) where the rows of the stored B lie anywhere in one buffer: stored row r
    /// is the floats at <paramref name="b"/> + <paramref name="rowOffsets"/>[r]. An im2col that is never
    /// written: for a stride-1 convolution each row of the column matrix is the (padded) input shifted by one
    /// tap. Without <paramref name="transB"/>, B is k×n and its k rows are read in place, whole micro-panels
    /// at a time, so every row must be readable for <see cref="RowsReadPast"/> floats past n (what is read
    /// there only reaches columns of C that are not written). With it, op(B) = Bᵀ for a stored n×k B (n
    /// offsets, each row k floats), packed like any transposed B: the weight gradient of such a convolution.
    /// A is m×k, row-major with row stride lda; the bias runs along the columns as in Sgemm's.
    /// </summary>
    internal static void SgemmRows(bool transB, int m, int n, int k, float alpha, float* a, int lda, float* b,
        int* rowOffsets, float beta, float* c, int ldc, float* bias, bool relu)
        => PackedOnly(new Args
        {
            A = a, B = b, BRows = rowOffsets, TransB = transB, C = c, Bias = bias, M = m, N = n, K = k, Lda = lda,
            Ldc = ldc, Alpha = alpha, Beta = beta, Relu = relu, Avx = UsesAvx2, Isa = isa,
        });

    /// <summary>
    /// C = act(α·A·B + β·C + bias) with A m×k and B k×n row-major (no transposes, the caller checks the
    /// bounds), always on the packed path, whatever the size. The packed path gives every element of C the
    /// same arithmetic whatever m and n are, so a product split into column blocks of any width (a batch
    /// of images in chunks) matches the whole product bit for bit, and matches <c>SgemmRows</c>.
    /// </summary>
    internal static void SgemmPacked(int m, int n, int k, float alpha, float* a, int lda, float* b, int ldb,
        float beta, float* c, int ldc, float* bias, bool relu)
        => PackedOnly(new Args
        {
            A = a, B = b, C = c, Bias = bias, M = m, N = n, K = k, Lda = lda, Ldb = ldb, Ldc = ldc,
            Alpha = alpha, Beta = beta, Relu = relu, Avx = UsesAvx2, Isa = isa,
        });

    /// <summary>The checked form of <see cref="SgemmRows(bool, int, int, int, float, float*, int, float*, int*, float, float*, int, float*, bool)"/>.</summary>
    internal static void SgemmRows(bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
        ReadOnlySpan<float> b, ReadOnlySpan<int> rowOffsets, float beta, Span<float> c, int ldc, ReadOnlySpan<float> bias,
        bool relu)
    {
        CheckView("A", a.Length, m, k, lda);
        CheckView("C", c.Length, m, n, ldc);
        int rows = transB ? n : k, length = transB ? k : n + RowsReadPast;
        if (rowOffsets.Length < rows)
            throw new ArgumentException($"SgemmRows: {rowOffsets.Length} row offsets for {rows} rows of B", nameof(rowOffsets));
        for (int r = 0; r < rows; r++)
            if (rowOffsets[r] < 0 || (long)rowOffsets[r] + length > b.Length)
                throw new ArgumentException($"SgemmRows: row {r} at {rowOffsets[r]} needs {length} floats of B's {b.Length}", nameof(b));
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"SgemmRows: bias has length {bias.Length}, expected n={n}", nameof(bias));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
        fixed (int* po = rowOffsets)
            SgemmRows(transB, m, n, k, alpha, pa, lda, pb, po, beta, pc, ldc, bias.IsEmpty ? null : pbias, relu);
    }

    /// <summary>The checked form of <see cref="SgemmPacked(int, int, int, float, float*, int, float*, int, float, float*, int, float*, bool)"/>.</summary>
    internal static void SgemmPacked(int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b,
        int ldb, float beta, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        CheckView("A", a.Length, m, k, lda);
        CheckView("B", b.Length, k, n, ldb);
        CheckView("C", c.Length, m, n, ldc);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"SgemmPacked: bias has length {bias.Length}, expected n={n}", nameof(bias));
        fixed (float* pa = a, pb = b, pc = c, pbias = bias)
            SgemmPacked(m, n, k, alpha, pa, lda, pb, ldb, beta, pc, ldc, bias.IsEmpty ? null : pbias, relu);
    }

    private static void PackedOnly(in Args g)
    {
        if (g.M <= 0 || g.N <= 0) return;
        if (g.K == 0 || g.Alpha == 0f) ScaleOnly(in g);
        else Packed(in g);
    }

    // A few rows times Bᵀ (small-batch inference through a Linear layer): packing B would cost more than the
    // product, whose 6-row tiles would be mostly padding.
    private static bool SmallBatch(int m, int n, int k, bool transA, bool transB) =>
        m <= SmallBatchMaxRows && !transA && transB && (long)m * n * k > DirectMaxVolume;

    /// <summary>Whether <c>Sgemm</c> runs this product on its packed path (which a prepacked B can take instead).</summary>
    internal static bool TakesPackedPath(bool transA, bool transB, int m, int n, int k) =>
        k > 0 && m > 1 && n > 1 && !SmallBatch(m, n, k, transA, transB) && (long)m * n * k > DirectMaxVolume;

    private static void CheckView(string name, int length, int rows, int cols, int ld)
    {
        if (rows == 0 || cols == 0) return;
        if (ld < cols)
            throw new ArgumentException($"Sgemm: {name} is stored [{rows},{cols}] but its row stride is {ld}");
        long need = (long)(rows - 1) * ld + cols;
        if (length < need)
            throw new ArgumentException(
                $"Sgemm: {name} stored [{rows},{cols}] with row stride {ld} needs {need} elements, got {length}");
    }

    private struct Args
    {
        public float* A, B, C, Bias;
        // Set for SgemmRows: stored row r of B starts at B + BRows[r].
        public int* BRows;
        // Set for a prepacked B (PackedB): its panels, every kc block of all of N, as PackB lays them out.
        public float* BPacked;
        public int M, N, K, Lda, Ldb, Ldc;
        public bool TransA, TransB, Relu, Avx;
        public GemmIsa Isa;
        public float Alpha, Beta;
    }

    // ---- Epilogue shared by the unpacked paths -------------------------------------------------------

    private static void FinishRow(in Args g, float* cRow, nint cStride, float* acc, int n, float* bias,
        nint biasStride)
    {
        for (int j = 0; j < n; j++)
        {
            float v = g.Alpha * acc[j];
            if (g.Beta != 0f) v += g.Beta * cRow[j * cStride];
            if (bias != null) v += bias[j * biasStride];
            if (g.Relu) v = v < 0f ? 0f : v;
            cRow[j * cStride] = v;
        }
    }

    private static void ScaleOnly(in Args g)
    {
        for (int i = 0; i < g.M; i++)
        {
            float* cRow = g.C + (nint)i * g.Ldc;
            for (int j = 0; j < g.N; j++)
            {
                float v = g.Beta == 0f ? 0f : g.Beta * cRow[j];
                if (g.Bias != null) v += g.Bias[j];
                if (g.Relu) v = v < 0f ? 0f : v;
                cRow[j] = v;
            }
        }
    }

    // ---- Unpacked path: matrix-vector and tiny products ----------------------------------------------

    /// <summary>m = 1 or n = 1: one matrix-vector product over the matrix operand as it is stored.</summary>
    private static void MatrixVector(in Args g)
    {
        var e = new Gemv.Epilogue { Alpha = g.Alpha, Beta = g.Beta, Bias = g.Bias, Relu = g.Relu };
        if (g.M == 1)
        {
            // C is a row: y = op(B)ᵀ·a with the bias along it.
            float* x = g.TransA ? Gather(Buffers.Current.Vector(g.K), g.A, g.Lda, g.K) : g.A;
            e.BiasStride = 1;
            if (g.TransB) Gemv.Rows(g.B, g.Ldb, g.N, g.K, x, g.C, 1, in e, g.Avx);
            else Gemv.Columns(g.B, g.Ldb, g.N, g.K, x, g.C, 1, in e, g.Avx);
        }
        else
        {
            // C is a column: y = op(A)·b; its one bias element is shared by every row.
            float* v = g.TransB ? g.B : Gather(Buffers.Current.Vector(g.K), g.B, g.Ldb, g.K);
            e.BiasStride = 0;
            if (!g.TransA) Gemv.Rows(g.A, g.Lda, g.M, g.K, v, g.C, g.Ldc, in e, g.Avx);
            else Gemv.Columns(g.A, g.Lda, g.M, g.K, v, g.C, g.Ldc, in e, g.Avx);
        }
    }

    private static void Direct(in Args g)
    {
        var buf = Buffers.Current;
        int m = g.M, n = g.N, k = g.K;
        float* acc = buf.Row(n);
        for (int i = 0; i < m; i++)
        {
            float* cRow = g.C + (nint)i * g.Ldc;
            if (!g.TransB)
            {
                new Span<float>(acc, n).Clear();
                for (int p = 0; p < k; p++)
                {
                    float aip = g.TransA ? g.A[(nint)p * g.Lda + i] : g.A[(nint)i * g.Lda + p];
                    Axpy(acc, g.B + (nint)p * g.Ldb, aip, n);
                }
            }
            else
            {
                float* aRow = g.TransA ? Gather(buf.Vector(k), g.A + i, g.Lda, k) : g.A + (nint)i * g.Lda;
                for (int j = 0; j < n; j++) acc[j] = Dot(aRow, g.B + (nint)j * g.Ldb, k);
            }
            FinishRow(in g, cRow, 1, acc, n, g.Bias, 1);
        }
    }

    private static float* Gather(float* dst, float* src, nint stride, int count)
    {
        for (int i = 0; i < count; i++) dst[i] = src[i * stride];
        return dst;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static float Dot(float* x, float* y, int count)
    {
        int w = Vector<float>.Count, i = 0;
        var s0 = Vector<float>.Zero;
        var s1 = Vector<float>.Zero;
        var s2 = Vector<float>.Zero;
        var s3 = Vector<float>.Zero;
        for (; i <= count - 4 * w; i += 4 * w)
        {
            s0 += Vector.Load(x + i) * Vector.Load(y + i);
            s1 += Vector.Load(x + i + w) * Vector.Load(y + i + w);
            s2 += Vector.Load(x + i + 2 * w) * Vector.Load(y + i + 2 * w);
            s3 += Vector.Load(x + i + 3 * w) * Vector.Load(y + i + 3 * w);
        }
        for (; i <= count - w; i += w) s0 += Vector.Load(x + i) * Vector.Load(y + i);
        float sum = Vector.Sum((s0 + s1) + (s2 + s3));
        for (; i < count; i++) sum += x[i] * y[i];
        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Axpy(float* y, float* x, float s, int count)
    {
        int w = Vector<float>.Count, i = 0;
        var vs = new Vector<float>(s);
        for (; i <= count - w; i += w) Vector.Store(Vector.Load(y + i) + vs * Vector.Load(x + i), y + i);
        for (; i < count; i++) y[i] += s * x[i];
    }

    // ---- Packed path ---------------------------------------------------------------------------------

    private static void Packed(in Args g)
    {
        switch (g.Isa)
        {
            case GemmIsa.Avx512 when RoundUp(g.M, 8) <= RoundUp(g.M, 6): Packed<Avx512Kernel8>(in g); break;
            case GemmIsa.Avx512: Packed<Avx512Kernel>(in g); break;
            case GemmIsa.Avx2: Packed<Avx2Kernel>(in g); break;
            default: Packed<PortableKernel>(in g); break;
        }
    }

    private static void Packed<TK>(in Args g) where TK : struct, IMicroKernel
    {
        if (g.K >= SlicedMinDepth && (long)g.M * g.N <= SlicedMaxOutput && g.BRows == null && g.BPacked == null)
        {
            Sliced<TK>(in g);
            return;
        }
        int kc = BlockDepth(g.K);

        int threads = 2L * g.M * g.N * g.K >= ParallelMinFlops ? Threads.Count : 1;
        // Split the larger dimension of C, in whole micro-tiles so that edge tiles stay at the matrix edge.
        // With B packed beforehand nothing is packed twice when the rows are split (each thread packs only
        // its own rows of A), so rows are split whenever there are enough of them to share out evenly.
        bool splitN = g.BPacked != null ? (g.M + TK.MR - 1) / TK.MR < 4 * threads : g.N >= g.M;
        int units = splitN ? (g.N + TK.NR - 1) / TK.NR : (g.M + TK.MR - 1) / TK.MR;
        int tasks = Math.Max(1, Math.Min(threads, units));
        var job = new Job<TK> { G = g, Kc = kc, Tasks = tasks, Units = units, SplitN = splitN };
        if (tasks == 1) job.Execute(0);
        else WorkerPool.Run(tasks, ref job);
    }

    // kc depends on k alone (never on the thread split): it fixes where partial sums are rounded into C.
    private static int BlockDepth(int k)
    {
        int kBlocks = Math.Max(1, (int)Math.Round((double)k / KC));
        return (k + kBlocks - 1) / kBlocks;
    }

    /// <summary>
    /// A long reduction into a small C (a convolution's weight gradient, summed over every position of the
    /// batch: 6×25 over 50,176 for LeNet's first layer) has too few tiles to share between threads, so
    /// the depth is cut into slices of <see cref="SliceDepth"/> instead: each slice's product goes to its own
    /// buffer (on whichever thread) and the slices are added in order. Whether and where to slice depends on
    /// the shape alone, so the result is the same for any thread count and either FMA kernel.
    /// </summary>
    private static void Sliced<TK>(in Args g) where TK : struct, IMicroKernel
    {
        int slices = (g.K + SliceDepth - 1) / SliceDepth;
        nint size = (nint)g.M * g.N;
        var buf = Buffers.Current;
        float* partial = buf.Partials(slices * size);
        int threads = 2L * g.M * g.N * g.K >= ParallelMinFlops ? Threads.Count : 1;
        var job = new SliceJob<TK> { G = g, Slices = slices, Tasks = Math.Min(threads, slices), Partial = partial };
        if (job.Tasks == 1) job.Execute(0);
        else WorkerPool.Run(job.Tasks, ref job);

        float* acc = buf.Row(g.N);
        for (int i = 0; i < g.M; i++)
        {
            float* first = partial + (nint)i * g.N;
            new Span<float>(first, g.N).CopyTo(new Span<float>(acc, g.N));
            for (int sl = 1; sl < slices; sl++)
            {
                float* row = first + sl * size;
                for (int j = 0; j < g.N; j++) acc[j] += row[j];
            }
            FinishRow(in g, g.C + (nint)i * g.Ldc, 1, acc, g.N, g.Bias, 1);
        }
    }

    private struct SliceJob<TK> : IWorkItem where TK : struct, IMicroKernel
    {
        public Args G;
        public int Slices, Tasks;
        public float* Partial;

        public readonly void Execute(int index)
        {
            int s0 = (int)((long)Slices * index / Tasks), s1 = (int)((long)Slices * (index + 1) / Tasks);
            for (int sl = s0; sl < s1; sl++)
            {
                int p0 = sl * SliceDepth, depth = Math.Min(SliceDepth, G.K - p0);
                var gs = G;
                gs.A = G.TransA ? G.A + (nint)p0 * G.Lda : G.A + p0;
                gs.B = G.TransB ? G.B + p0 : G.B + (nint)p0 * G.Ldb;
                gs.K = depth;
                gs.C = Partial + sl * (nint)G.M * G.N;
                gs.Ldc = G.N;
                gs.Alpha = 1f;
                gs.Beta = 0f;
                gs.Bias = null;
                gs.Relu = false;
                Block<TK>(in gs, BlockDepth(depth), 0, G.M, 0, G.N);
            }
        }
    }

    private struct Job<TK> : IWorkItem where TK : struct, IMicroKernel
    {
        public Args G;
        public int Kc, Tasks, Units;
        public bool SplitN;

        public readonly void Execute(int index)
        {
            int u0 = (int)((long)Units * index / Tasks), u1 = (int)((long)Units * (index + 1) / Tasks);
            if (SplitN) Block<TK>(in G, Kc, 0, G.M, u0 * TK.NR, Math.Min(G.N, u1 * TK.NR));
            else Block<TK>(in G, Kc, u0 * TK.MR, Math.Min(G.M, u1 * TK.MR), 0, G.N);
        }
    }

    /// <summary>C[i0..i1, j0..j1] with the GotoBLAS loop nest; buffers are the calling thread's own.</summary>
    private static void Block<TK>(in Args g, int kc, int i0, int i1, int j0, int j1) where TK : struct, IMicroKernel
    {
        var buf = Buffers.Current;
        int ncMax = Math.Min(NC, RoundUp(j1 - j0, TK.NR));
        int mcMax = Math.Min(MC, RoundUp(i1 - i0, TK.MR));
        float* pb = buf.PackB((nint)kc * ncMax);
        float* pa = buf.PackA((nint)kc * mcMax);
        if (g.BRows != null && !g.TransB)
        {
            int* steps = buf.Steps(g.K);
            for (int p = 0; p < g.K - 1; p++) steps[p] = g.BRows[p + 1] - g.BRows[p];
            steps[g.K - 1] = 0;
        }
        for (int jc = j0; jc < j1; jc += NC)
        {
            int nb = Math.Min(NC, j1 - jc);
            for (int pc = 0; pc < g.K; pc += kc)
            {
                int kb = Math.Min(kc, g.K - pc);
                bool last = pc + kb >= g.K;
                // With one row panel of A, each panel of B is used once: copying it first would only add a
                // pass over B (a skinny 6×25·N convolution GEMM), so full panels are read where they are.
                // B given by row offsets is always read in place (the caller guarantees whole panels are readable).
                int directCols = g.TransB || g.BPacked != null ? 0
                    : g.BRows != null ? RoundUp(nb, TK.NR) : i1 - i0 <= TK.MR ? nb / TK.NR * TK.NR : 0;
                float* panels = pb;
                if (g.BPacked != null) panels = g.BPacked + (nint)pc * RoundUp(g.N, TK.NR) + (nint)jc * kb;
                else if (nb > directCols) PackB<TK>(in g, pc, kb, jc + directCols, nb - directCols, pb);
                for (int ic = i0; ic < i1; ic += MC)
                {
                    int mb = Math.Min(MC, i1 - ic);
                    PackA<TK>(in g, ic, mb, pc, kb, pa);
                    float* cBlock = g.C + (nint)ic * g.Ldc + jc;
                    float beta = pc == 0 ? g.Beta : 1f;
                    float* bias = last && g.Bias != null ? g.Bias + jc : null;
                    if (directCols > 0 && g.BRows != null)
                    {
                        var rows = new Panels<RowSteps>(g.B + g.BRows[pc] + jc, new RowSteps(buf.Steps(g.K) + pc), directCols, panels);
                        Macro<TK, RowSteps>(in g, buf, mb, nb, kb, pa, in rows, cBlock, beta, bias, last && g.Relu);
                    }
                    else
                    {
                        var rows = new Panels<Stride>(g.B + (nint)pc * g.Ldb + jc, new Stride(g.Ldb), directCols, panels);
                        Macro<TK, Stride>(in g, buf, mb, nb, kb, pa, in rows, cBlock, beta, bias, last && g.Relu);
                    }
                }
            }
        }
    }

    private static int RoundUp(int x, int to) => (x + to - 1) / to * to;

    /// <summary>
    /// Where one kc×nc block of op(B) is: its first DirectCols columns in place (starting at Direct, one row
    /// to the next by Step), the rest packed in NR-column panels.
    /// </summary>
    private readonly struct Panels<TS>(float* direct, TS step, int directCols, float* packed) where TS : struct, IRowStep
    {
        public readonly float* Direct = direct, Packed = packed;
        public readonly TS Step = step;
        public readonly int DirectCols = directCols;
    }

    /// <summary>How a micro-kernel moves from row p of B to row p + 1 (p counted from the block's first row).</summary>
    private interface IRowStep
    {
        nint Next(int p);
    }

    /// <summary>Rows a fixed distance apart: a packed panel (NR) or a matrix read in place (its row stride).</summary>
    private readonly struct Stride(nint ld) : IRowStep
    {
        private readonly nint ld = ld;

        public nint Next(int p) => ld;
    }

    /// <summary>Rows wherever a table puts them (<c>SgemmRows</c>): steps[p] = offset[p + 1] − offset[p].</summary>
    private readonly struct RowSteps(int* steps) : IRowStep
    {
        private readonly int* steps = steps;

        public nint Next(int p) => steps[p];
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Macro<TK, TS>(in Args g, Buffers buf, int mb, int nb, int kb, float* pa, in Panels<TS> bs, float* c,
        float beta, float* bias, bool relu) where TK : struct, IMicroKernel where TS : struct, IRowStep
    {
        for (int jr = 0; jr < nb; jr += TK.NR)
        {
            int nr = Math.Min(TK.NR, nb - jr);
            float* biasJ = bias == null ? null : bias + jr;
            if (jr < bs.DirectCols)
                Column<TK, TS>(in g, buf, mb, nr, kb, pa, bs.Direct + jr, in bs.Step, c + jr, beta, biasJ, relu);
            else
                Column<TK, Stride>(in g, buf, mb, nr, kb, pa, bs.Packed + (nint)(jr - bs.DirectCols) * kb, new Stride(TK.NR),
                    c + jr, beta, biasJ, relu);
        }
    }

    /// <summary>One column of micro-tiles: the A panels of the block against B's columns at <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Column<TK, TS>(in Args g, Buffers buf, int mb, int nr, int kb, float* pa, float* b, in TS step,
        float* c, float beta, float* bias, bool relu) where TK : struct, IMicroKernel where TS : struct, IRowStep
    {
        nint ldc = g.Ldc;
        float alpha = g.Alpha;
        for (int ir = 0; ir < mb; ir += TK.MR)
        {
            int mr = Math.Min(TK.MR, mb - ir);
            float* a = pa + (nint)ir * kb;
            float* cij = c + ir * ldc;
            if (mr == TK.MR && nr == TK.NR)
            {
                TK.Run(kb, a, b, in step, cij, ldc, alpha, beta, bias, relu);
                continue;
            }
            // Edge tile: the same kernel on a padded copy, so the arithmetic matches a full tile's.
            float* t = buf.Tile;
            float* tb = null;
            new Span<float>(t, TK.MR * TK.NR).Clear();
            if (beta != 0f)
                for (int r = 0; r < mr; r++)
                    for (int j = 0; j < nr; j++) t[r * TK.NR + j] = cij[r * ldc + j];
            if (bias != null)
            {
                tb = buf.TileBias;
                new Span<float>(tb, TK.NR).Clear();
                for (int j = 0; j < nr; j++) tb[j] = bias[j];
            }
            TK.Run(kb, a, b, in step, t, TK.NR, alpha, beta, tb, relu);
            for (int r = 0; r < mr; r++)
                for (int j = 0; j < nr; j++) cij[r * ldc + j] = t[r * TK.NR + j];
        }
    }

    // ---- Micro-kernels -------------------------------------------------------------------------------

    /// <summary>
    /// One register-blocked micro-kernel: C[6×NR] = act(α·Σ_p a[p]·b[p] + β·C + bias) over a 6-row micro-panel
    /// of A (6 floats per p) and NR columns of B (NR floats per p; <c>step</c> says how far apart its rows are:
    /// NR in a packed panel, B's own row stride or row table when it is read in place), where act
    /// is ReLU (NaN propagates) when <c>relu</c> is set. The generic drivers are compiled once per kernel,
    /// with NR a constant.
    /// </summary>
    private interface IMicroKernel
    {
        static abstract int MR { get; }

        static abstract int NR { get; }

        static abstract void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep;
    }

    /// <summary>
    /// 6×32 with AVX-512: 12 zmm accumulators (two FMA units of 4-cycle latency need 8 in flight), two B
    /// vectors and a broadcast per step, so 8 loads feed 12 FMAs. Per element of C it performs exactly the
    /// FMAs of <see cref="Avx2Kernel"/>, in the same order.
    /// </summary>
    private struct Avx512Kernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            // C rows are far apart (often in L3 or memory); fetching them now hides that latency behind the loop.
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
                Sse.Prefetch0(c + r * ldc + 31);
            }
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector512<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = Avx512F.LoadVector512(b + 16);
                var av = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                av = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                av = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                av = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                av = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                a += MR;
                b += rows.Next(p);
            }
            Store(c, c00, c01, alpha, beta, bias, relu);
            Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
        }

        // The epilogue in the order of Avx2Kernel's (α, then β·C as one FMA, then bias, then ReLU).
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void Store(float* c, Vector512<float> x0, Vector512<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                var va = Vector512.Create(alpha);
                x0 = Avx512F.Multiply(x0, va);
                x1 = Avx512F.Multiply(x1, va);
            }
            if (beta == 1f)
            {
                x0 = Avx512F.Add(x0, Avx512F.LoadVector512(c));
                x1 = Avx512F.Add(x1, Avx512F.LoadVector512(c + 16));
            }
            else if (beta != 0f)
            {
                var vb = Vector512.Create(beta);
                x0 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(c), vb, x0);
                x1 = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(c + 16), vb, x1);
            }
            if (bias != null)
            {
                x0 = Avx512F.Add(x0, Avx512F.LoadVector512(bias));
                x1 = Avx512F.Add(x1, Avx512F.LoadVector512(bias + 16));
            }
            if (relu)
            {
                // max(0, x) returns x when x is NaN (vmaxps returns its second operand), so NaN propagates.
                x0 = Avx512F.Max(Vector512<float>.Zero, x0);
                x1 = Avx512F.Max(Vector512<float>.Zero, x1);
            }
            Avx512F.Store(c, x0);
            Avx512F.Store(c + 16, x1);
        }
    }

    /// <summary>
    /// 8×32 with AVX-512: 16 zmm accumulators, two B vectors and a broadcast per step (10 loads feed 16 FMAs).
    /// Used where C's rows are a multiple of 8 or round up to one no later than to a multiple of 6 (a batch
    /// of 64, 16 channels); per element of C the same FMAs in the same order as the 6-row kernels.
    /// </summary>
    private struct Avx512Kernel8 : IMicroKernel
    {
        public static int MR => 8;

        public static int NR => 32;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            for (int r = 0; r < 8; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 16);
                Sse.Prefetch0(c + r * ldc + 31);
            }
            Vector512<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default, c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default, c60 = default, c61 = default, c70 = default, c71 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx512F.LoadVector512(b);
                var b1 = Avx512F.LoadVector512(b + 16);
                var av = Vector512.Create(a[0]);
                c00 = Avx512F.FusedMultiplyAdd(av, b0, c00);
                c01 = Avx512F.FusedMultiplyAdd(av, b1, c01);
                av = Vector512.Create(a[1]);
                c10 = Avx512F.FusedMultiplyAdd(av, b0, c10);
                c11 = Avx512F.FusedMultiplyAdd(av, b1, c11);
                av = Vector512.Create(a[2]);
                c20 = Avx512F.FusedMultiplyAdd(av, b0, c20);
                c21 = Avx512F.FusedMultiplyAdd(av, b1, c21);
                av = Vector512.Create(a[3]);
                c30 = Avx512F.FusedMultiplyAdd(av, b0, c30);
                c31 = Avx512F.FusedMultiplyAdd(av, b1, c31);
                av = Vector512.Create(a[4]);
                c40 = Avx512F.FusedMultiplyAdd(av, b0, c40);
                c41 = Avx512F.FusedMultiplyAdd(av, b1, c41);
                av = Vector512.Create(a[5]);
                c50 = Avx512F.FusedMultiplyAdd(av, b0, c50);
                c51 = Avx512F.FusedMultiplyAdd(av, b1, c51);
                av = Vector512.Create(a[6]);
                c60 = Avx512F.FusedMultiplyAdd(av, b0, c60);
                c61 = Avx512F.FusedMultiplyAdd(av, b1, c61);
                av = Vector512.Create(a[7]);
                c70 = Avx512F.FusedMultiplyAdd(av, b0, c70);
                c71 = Avx512F.FusedMultiplyAdd(av, b1, c71);
                a += 8;
                b += rows.Next(p);
            }
            Avx512Kernel.Store(c, c00, c01, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 6 * ldc, c60, c61, alpha, beta, bias, relu);
            Avx512Kernel.Store(c + 7 * ldc, c70, c71, alpha, beta, bias, relu);
        }
    }

    /// <summary>
    /// 6×16 with AVX2+FMA: 12 accumulators, two B vectors and one broadcast fill 15 of the 16 ymm registers.
    /// </summary>
    private struct Avx2Kernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            // C rows are far apart (often in L3 or memory); fetching them now hides that latency behind the loop.
            for (int r = 0; r < MR; r++)
            {
                Sse.Prefetch0(c + r * ldc);
                Sse.Prefetch0(c + r * ldc + 15);
            }
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
            Vector256<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
            for (int p = 0; p < kc; p++)
            {
                var b0 = Avx.LoadVector256(b);
                var b1 = Avx.LoadVector256(b + 8);
                var av = Avx.BroadcastScalarToVector256(a);
                c00 = Fma.MultiplyAdd(av, b0, c00);
                c01 = Fma.MultiplyAdd(av, b1, c01);
                av = Avx.BroadcastScalarToVector256(a + 1);
                c10 = Fma.MultiplyAdd(av, b0, c10);
                c11 = Fma.MultiplyAdd(av, b1, c11);
                av = Avx.BroadcastScalarToVector256(a + 2);
                c20 = Fma.MultiplyAdd(av, b0, c20);
                c21 = Fma.MultiplyAdd(av, b1, c21);
                av = Avx.BroadcastScalarToVector256(a + 3);
                c30 = Fma.MultiplyAdd(av, b0, c30);
                c31 = Fma.MultiplyAdd(av, b1, c31);
                av = Avx.BroadcastScalarToVector256(a + 4);
                c40 = Fma.MultiplyAdd(av, b0, c40);
                c41 = Fma.MultiplyAdd(av, b1, c41);
                av = Avx.BroadcastScalarToVector256(a + 5);
                c50 = Fma.MultiplyAdd(av, b0, c50);
                c51 = Fma.MultiplyAdd(av, b1, c51);
                a += MR;
                b += rows.Next(p);
            }
            Store(c, c00, c01, alpha, beta, bias, relu);
            Store(c + ldc, c10, c11, alpha, beta, bias, relu);
            Store(c + 2 * ldc, c20, c21, alpha, beta, bias, relu);
            Store(c + 3 * ldc, c30, c31, alpha, beta, bias, relu);
            Store(c + 4 * ldc, c40, c41, alpha, beta, bias, relu);
            Store(c + 5 * ldc, c50, c51, alpha, beta, bias, relu);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                var va = Vector256.Create(alpha);
                x0 = Avx.Multiply(x0, va);
                x1 = Avx.Multiply(x1, va);
            }
            if (beta == 1f)
            {
                x0 = Avx.Add(x0, Avx.LoadVector256(c));
                x1 = Avx.Add(x1, Avx.LoadVector256(c + 8));
            }
            else if (beta != 0f)
            {
                var vb = Vector256.Create(beta);
                x0 = Fma.MultiplyAdd(Avx.LoadVector256(c), vb, x0);
                x1 = Fma.MultiplyAdd(Avx.LoadVector256(c + 8), vb, x1);
            }
            if (bias != null)
            {
                x0 = Avx.Add(x0, Avx.LoadVector256(bias));
                x1 = Avx.Add(x1, Avx.LoadVector256(bias + 8));
            }
            if (relu)
            {
                // max(0, x) returns x when x is NaN, so NaN propagates as in PyTorch.
                x0 = Avx.Max(Vector256<float>.Zero, x0);
                x1 = Avx.Max(Vector256<float>.Zero, x1);
            }
            Avx.Store(c, x0);
            Avx.Store(c + 8, x1);
        }
    }

    /// <summary>
    /// The same contract with Vector128 and separate multiply and add, for CPUs without AVX2/FMA. The 6×16
    /// tile is done as two 6×8 halves so that 12 accumulators fit in 16 registers.
    /// </summary>
    private struct PortableKernel : IMicroKernel
    {
        public static int MR => 6;

        public static int NR => 16;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Run<TS>(int kc, float* a, float* b, in TS step, float* c, nint ldc, float alpha, float beta,
            float* bias, bool relu) where TS : struct, IRowStep
        {
            // A local copy, so that the step stays in a register instead of being reloaded every iteration.
            var rows = step;
            for (int h = 0; h < 16; h += 8)
            {
                Vector128<float> c00 = default, c01 = default, c10 = default, c11 = default, c20 = default, c21 = default;
                Vector128<float> c30 = default, c31 = default, c40 = default, c41 = default, c50 = default, c51 = default;
                float* ap = a;
                float* bp = b + h;
                for (int p = 0; p < kc; p++)
                {
                    var b0 = Vector128.Load(bp);
                    var b1 = Vector128.Load(bp + 4);
                    var av = Vector128.Create(ap[0]);
                    c00 += av * b0;
                    c01 += av * b1;
                    av = Vector128.Create(ap[1]);
                    c10 += av * b0;
                    c11 += av * b1;
                    av = Vector128.Create(ap[2]);
                    c20 += av * b0;
                    c21 += av * b1;
                    av = Vector128.Create(ap[3]);
                    c30 += av * b0;
                    c31 += av * b1;
                    av = Vector128.Create(ap[4]);
                    c40 += av * b0;
                    c41 += av * b1;
                    av = Vector128.Create(ap[5]);
                    c50 += av * b0;
                    c51 += av * b1;
                    ap += MR;
                    bp += rows.Next(p);
                }
                float* ch = c + h;
                float* bh = bias == null ? null : bias + h;
                Store(ch, c00, c01, alpha, beta, bh, relu);
                Store(ch + ldc, c10, c11, alpha, beta, bh, relu);
                Store(ch + 2 * ldc, c20, c21, alpha, beta, bh, relu);
                Store(ch + 3 * ldc, c30, c31, alpha, beta, bh, relu);
                Store(ch + 4 * ldc, c40, c41, alpha, beta, bh, relu);
                Store(ch + 5 * ldc, c50, c51, alpha, beta, bh, relu);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector128<float> x0, Vector128<float> x1, float alpha, float beta,
            float* bias, bool relu)
        {
            if (alpha != 1f)
            {
                x0 *= alpha;
                x1 *= alpha;
            }
            if (beta == 1f)
            {
                x0 += Vector128.Load(c);
                x1 += Vector128.Load(c + 4);
            }
            else if (beta != 0f)
            {
                x0 += Vector128.Load(c) * beta;
                x1 += Vector128.Load(c + 4) * beta;
            }
            if (bias != null)
            {
                x0 += Vector128.Load(bias);
                x1 += Vector128.Load(bias + 4);
            }
            if (relu)
            {
                // Select rather than Max: NaN must propagate, and Max's NaN behaviour varies by platform.
                x0 = Vector128.ConditionalSelect(Vector128.LessThan(x0, Vector128<float>.Zero), Vector128<float>.Zero, x0);
                x1 = Vector128.ConditionalSelect(Vector128.LessThan(x1, Vector128<float>.Zero), Vector128<float>.Zero, x1);
            }
            x0.Store(c);
            x1.Store(c + 4);
        }
    }

    // ---- Packing -------------------------------------------------------------------------------------

    /// <summary>op(A)[ic..ic+mb, pc..pc+kb] as MR-row micro-panels, p-major, rows past m zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackA<TK>(in Args g, int ic, int mb, int pc, int kb, float* dst) where TK : struct, IMicroKernel
    {
        nint lda = g.Lda;
        int mrFull = TK.MR;
        for (int ir = 0; ir < mb; ir += mrFull)
        {
            int mr = Math.Min(mrFull, mb - ir);
            float* d = dst + (nint)ir * kb;
            if (!g.TransA)
            {
                float* src = g.A + (ic + ir) * lda + pc;
                if (mr == mrFull)
                {
                    int p = 0;
                    if (g.Avx)
                    {
                        if (mrFull == 6)
                            for (; p <= kb - 8; p += 8, d += 8 * 6) Transpose6x8(src + p, lda, d);
                        else if (mrFull == 8)
                            for (; p <= kb - 8; p += 8, d += 8 * 8) Transpose8x8(src + p, lda, d, 8);
                    }
                    for (; p < kb; p++, d += mrFull)
                        for (int r = 0; r < mrFull; r++) d[r] = src[r * lda + p];
                }
                else
                {
                    for (int p = 0; p < kb; p++, d += mrFull)
                        for (int r = 0; r < mrFull; r++) d[r] = r < mr ? src[r * lda + p] : 0f;
                }
            }
            else
            {
                float* src = g.A + pc * lda + ic + ir;
                if (mr == mrFull && mrFull == 8)
                {
                    for (int p = 0; p < kb; p++, d += 8, src += lda) Vector256.Store(Vector256.Load(src), d);
                }
                else if (mr == mrFull && mrFull == 6)
                {
                    for (int p = 0; p < kb; p++, d += 6, src += lda)
                    {
                        Vector128.Store(Vector128.Load(src), d);
                        d[4] = src[4];
                        d[5] = src[5];
                    }
                }
                else
                {
                    for (int p = 0; p < kb; p++, d += mrFull, src += lda)
                        for (int r = 0; r < mrFull; r++) d[r] = r < mr ? src[r] : 0f;
                }
            }
        }
    }

    /// <summary>op(B)[pc..pc+kb, jc..jc+nb] as NR-column micro-panels, p-major, columns past n zero.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void PackB<TK>(in Args g, int pc, int kb, int jc, int nb, float* dst) where TK : struct, IMicroKernel
    {
        nint ldb = g.Ldb;
        int nrFull = TK.NR;
        int fullPanels = nb / nrFull;
        if (!g.TransB)
        {
            // Row by row of B, so that reads stream through memory; the writes land in the packed
            // buffer, which is already in cache.
            nint panelStride = (nint)kb * nrFull;
            for (int p = 0; p < kb; p++)
            {
                float* src = g.B + (pc + p) * ldb + jc;
                float* d = dst + p * nrFull;
                for (int q = 0; q < fullPanels; q++, src += nrFull, d += panelStride)
                    for (int h = 0; h < nrFull; h += 8)
                        Vector256.Store(Vector256.Load(src + h), d + h);
                int nr = nb - fullPanels * nrFull;
                if (nr > 0)
                {
                    int j = 0;
                    for (; j <= nr - 8; j += 8) Vector256.Store(Vector256.Load(src + j), d + j);
                    for (; j < nr; j++) d[j] = src[j];
                    for (; j < nrFull; j++) d[j] = 0f;
                }
            }
            return;
        }
        for (int jr = 0; jr < nb; jr += nrFull)
        {
            int nr = Math.Min(nrFull, nb - jr);
            float* d = dst + (nint)jr * kb;
            // Stored row j of B (column j of op(B)): evenly spaced, or wherever BRows says.
            float* src = g.B + (jc + jr) * ldb + pc;
            int* rows = g.BRows == null ? null : g.BRows + jc + jr;
            // Whole groups of 8 columns of the panel (rows of the stored B) go through 8×8 transposes; the
            // rest of the panel (a partial group, the zero padding, the last kb mod 8 rows) element by element.
            int groups = g.Avx ? nr / 8 * 8 : 0, done = groups > 0 ? kb / 8 * 8 : 0;
            for (int p = 0; p < done; p += 8)
                for (int h = 0; h < groups; h += 8)
                {
                    if (rows == null) Transpose8x8(src + h * ldb + p, ldb, d + p * nrFull + h, nrFull);
                    else Transpose8x8(g.B + pc + p, rows + h, d + p * nrFull + h, nrFull);
                }
            for (int j = 0; j < nrFull; j++)
            {
                float* sj = j >= nr ? null : rows == null ? src + j * ldb : g.B + rows[j] + pc;
                for (int q = j < groups ? done : 0; q < kb; q++) d[q * nrFull + j] = sj == null ? 0f : sj[q];
            }
        }
    }

    /// <summary>
    /// dst[i·6 + r] = src[r, i] for 6 rows of 8: one step of packing an A micro-panel. Each 8-wide store
    /// spills 2 floats past its 6, which the next store (or a later panel, or the buffer's slack) overwrites.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose6x8(float* src, nint lds, float* dst)
    {
        var r0 = Avx.LoadVector256(src);
        var r1 = Avx.LoadVector256(src + lds);
        var r2 = Avx.LoadVector256(src + 2 * lds);
        var r3 = Avx.LoadVector256(src + 3 * lds);
        var r4 = Avx.LoadVector256(src + 4 * lds);
        var r5 = Avx.LoadVector256(src + 5 * lds);
        var z = Vector256<float>.Zero;
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, z, 0x44);
        var u5 = Avx.Shuffle(t4, z, 0xEE);
        var u6 = Avx.Shuffle(t5, z, 0x44);
        var u7 = Avx.Shuffle(t5, z, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + 6, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 12, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 18, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 24, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 30, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 36, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 42, Avx.Permute2x128(u3, u7, 0x31));
    }

    /// <summary>dst[i, j] = src[j, i] for an 8×8 block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint lds, float* dst, nint ldd) =>
        Transpose8x8(Avx.LoadVector256(src), Avx.LoadVector256(src + lds), Avx.LoadVector256(src + 2 * lds),
            Avx.LoadVector256(src + 3 * lds), Avx.LoadVector256(src + 4 * lds), Avx.LoadVector256(src + 5 * lds),
            Avx.LoadVector256(src + 6 * lds), Avx.LoadVector256(src + 7 * lds), dst, ldd);

    /// <summary>dst[i, j] = (basePtr + rows[j])[i] for 8 rows anywhere.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* basePtr, int* rows, float* dst, nint ldd) =>
        Transpose8x8(Avx.LoadVector256(basePtr + rows[0]), Avx.LoadVector256(basePtr + rows[1]),
            Avx.LoadVector256(basePtr + rows[2]), Avx.LoadVector256(basePtr + rows[3]), Avx.LoadVector256(basePtr + rows[4]),
            Avx.LoadVector256(basePtr + rows[5]), Avx.LoadVector256(basePtr + rows[6]), Avx.LoadVector256(basePtr + rows[7]),
            dst, ldd);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(Vector256<float> r0, Vector256<float> r1, Vector256<float> r2, Vector256<float> r3,
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint ldd)
    {
        var t0 = Avx.UnpackLow(r0, r1);
        var t1 = Avx.UnpackHigh(r0, r1);
        var t2 = Avx.UnpackLow(r2, r3);
        var t3 = Avx.UnpackHigh(r2, r3);
        var t4 = Avx.UnpackLow(r4, r5);
        var t5 = Avx.UnpackHigh(r4, r5);
        var t6 = Avx.UnpackLow(r6, r7);
        var t7 = Avx.UnpackHigh(r6, r7);
        var u0 = Avx.Shuffle(t0, t2, 0x44);
        var u1 = Avx.Shuffle(t0, t2, 0xEE);
        var u2 = Avx.Shuffle(t1, t3, 0x44);
        var u3 = Avx.Shuffle(t1, t3, 0xEE);
        var u4 = Avx.Shuffle(t4, t6, 0x44);
        var u5 = Avx.Shuffle(t4, t6, 0xEE);
        var u6 = Avx.Shuffle(t5, t7, 0x44);
        var u7 = Avx.Shuffle(t5, t7, 0xEE);
        Avx.Store(dst, Avx.Permute2x128(u0, u4, 0x20));
        Avx.Store(dst + ldd, Avx.Permute2x128(u1, u5, 0x20));
        Avx.Store(dst + 2 * ldd, Avx.Permute2x128(u2, u6, 0x20));
        Avx.Store(dst + 3 * ldd, Avx.Permute2x128(u3, u7, 0x20));
        Avx.Store(dst + 4 * ldd, Avx.Permute2x128(u0, u4, 0x31));
        Avx.Store(dst + 5 * ldd, Avx.Permute2x128(u1, u5, 0x31));
        Avx.Store(dst + 6 * ldd, Avx.Permute2x128(u2, u6, 0x31));
        Avx.Store(dst + 7 * ldd, Avx.Permute2x128(u3, u7, 0x31));
    }

    // ---- Per-thread buffers --------------------------------------------------------------------------

    /// <summary>
    /// One set of 64-byte-aligned packing buffers per thread, grown on demand and reused, so a steady-state
    /// call allocates nothing. The finalizer returns the native memory when the thread goes away.
    /// </summary>
    private sealed class Buffers
    {
        [ThreadStatic] private static Buffers? current;

        private float* packA, packB, row, vector, steps, partials;
        private nint packALength, packBLength, rowLength, vectorLength, stepsLength, partialsLength;

        public static Buffers Current => current ??= new Buffers();

        public float* Tile { get; } = Allocate(MaxMR * MaxNR);
        public float* TileBias { get; } = Allocate(MaxNR);

        public float* PackA(nint length) => Ensure(ref packA, ref packALength, length);
        public float* PackB(nint length) => Ensure(ref packB, ref packBLength, length);
        public float* Row(nint length) => Ensure(ref row, ref rowLength, length);
        public float* Vector(nint length) => Ensure(ref vector, ref vectorLength, length);
        public int* Steps(nint length) => (int*)Ensure(ref steps, ref stepsLength, length);
        public float* Partials(nint length) => Ensure(ref partials, ref partialsLength, length);

        private static float* Ensure(ref float* buffer, ref nint capacity, nint length)
        {
            if (capacity >= length) return buffer;
            NativeMemory.AlignedFree(buffer);
            buffer = null;
            capacity = 0;
            buffer = Allocate(length);
            capacity = length;
            return buffer;
        }

        private static float* Allocate(nint length) =>
            (float*)NativeMemory.AlignedAlloc((nuint)(length + 16) * sizeof(float), 64);

        ~Buffers()
        {
            NativeMemory.AlignedFree(packA);
            NativeMemory.AlignedFree(packB);
            NativeMemory.AlignedFree(row);
            NativeMemory.AlignedFree(vector);
            NativeMemory.AlignedFree(steps);
            NativeMemory.AlignedFree(partials);
            NativeMemory.AlignedFree(Tile);
            NativeMemory.AlignedFree(TileBias);
        }
    }
}
