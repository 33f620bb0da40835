using System.Runtime.Intrinsics.X86;

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
/// <para>
/// This file holds the entry points and the dispatch; the other parts are Gemm.Unpacked.cs (matrix-vector,
/// tiny and scale-only products), Gemm.Packed.cs (the blocked loop nest and its threads), Gemm.Packing.cs,
/// Gemm.MicroKernels.cs, Gemm.Prepacked.cs (a B packed once for many products) and Gemm.Buffers.cs.
/// </para>
/// </remarks>
internal static unsafe partial class Gemm
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
}
