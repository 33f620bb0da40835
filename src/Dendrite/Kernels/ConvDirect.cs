using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Direct convolution for layers with few output channels (LeNet's 6 and 16), stride 1: the product
/// P[o, q] = Σ_t Wᵀ[t, o]·X[offsets[t] + q] over the padded input X and its tap offsets (the layout of
/// <see cref="Conv.PadForImplicitIm2Col"/>: q runs over output rows of Wp padded pixels, the wrapped columns
/// computed and dropped by the caller), register-blocked as up to 8 output channels × up to 4 vectors of 16
/// consecutive positions: per tap, one load per vector of positions and one broadcast weight per channel
/// feed rows × vectors fused multiply-adds.
/// </summary>
/// <remarks>
/// Why not the implicit GEMM: with M = og ≤ 16 every element of the packed B panel (the input shifted by a
/// tap) is used only og times, so packing it costs about as much as the multiply, and the GEMM's 6- or
/// 8-row tiles pad LeNet's 6 or 16 channels. Here nothing is packed: the input is read in place from L1.
/// Each position's sum runs over the taps in one fixed order (by kernel row when <see cref="ByKernelRow"/>,
/// carried through the product in memory) whichever tile or thread computes it, so results do not depend on
/// the thread count. AVX-512 only; elsewhere the caller keeps the GEMM (<see cref="Takes"/>).
/// </remarks>
internal static unsafe partial class ConvDirect
{
    /// <summary>The most output channels per group that take this path: above it the packed GEMM amortises its packing.</summary>
    internal const int MaxChannels = 16;

    /// <summary>
    /// Whether this path is allowed at all: tests turn it off to compare it with the GEMM path, and so does
    /// <c>DENDRITE_CONV_DIRECT=0</c> in the environment (for side-by-side measurements).
    /// </summary>
    internal static bool Enabled { get; set; } = Environment.GetEnvironmentVariable("DENDRITE_CONV_DIRECT") != "0";

    /// <summary>Whether a stride-1 convolution's forward product runs here rather than in <c>Gemm.SgemmRows</c>.</summary>
    public static bool Takes(in ConvGeometry g) => Enabled && Gemm.Isa == GemmIsa.Avx512 && g.Og <= MaxChannels;

    /// <summary>
    /// The row pitch of the product for n positions: n rounded up to a whole vector. The input must be followed
    /// by <c>Width(n) − n</c> readable floats (their products are dropped).
    /// </summary>
    public static int Width(int n) => (n + 15) & ~15;

    /// <summary>
    /// Whether <see cref="Forward"/> runs the taps one kernel row at a time, each over only the output rows whose
    /// input rows it reaches inside the image: for an input gradient's "full" correlation (LeNet's second layer:
    /// dY 10×10 padded by 4) half the products would otherwise multiply the zero border. Each kernel row then
    /// adds into the product in memory, so it needs enough taps (channels × kernel width ≥ 16) to pay for the
    /// reload, and vertical padding to skip.
    /// </summary>
    public static bool ByKernelRow(in ConvGeometry g) =>
        g.Cg * g.Win.KernelW >= 16 && g.Win.KernelH > 1 && (g.Win.PadTop > 0 || g.Win.PadBottom > 0);

    /// <summary>
    /// wt[t, o] = w[o, t] for one group's [og, k] weights, a tap's channels side by side for the broadcasts; the
    /// taps in the order <see cref="Forward"/> reads them: (c, i, j), or (i, c, j) by kernel row.
    /// </summary>
    public static void Transpose(float* w, in ConvGeometry g, float* wt)
    {
        int og = g.Og, k = g.K, cg = g.Cg, kh = g.Win.KernelH, kw = g.Win.KernelW;
        bool byRow = ByKernelRow(g);
        for (int o = 0; o < og; o++)
            for (int c = 0; c < cg; c++)
                for (int i = 0; i < kh; i++)
                    for (int j = 0; j < kw; j++)
                    {
                        int t = (c * kh + i) * kw + j, u = byRow ? (i * cg + c) * kw + j : t;
                        wt[(nint)u * og + o] = w[(nint)o * k + t];
                    }
    }

    /// <summary>
    /// product[o, q] = Σ_t wt[t, o]·image[offsets[t] + q] for o &lt; og, q &lt; <see cref="Width"/>(n), over one
    /// group of a stride-1 convolution (<paramref name="offsets"/>: the tap table of
    /// <see cref="Conv.PadForImplicitIm2Col"/>, k entries; <paramref name="byRow"/>: room for k more); rows of
    /// the product are <paramref name="ldp"/> ≥ Width(n) apart. By kernel row, the products a kernel row would
    /// take from the top and bottom padding alone are skipped (they are zeros).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(in ConvGeometry g, int n, float* wt, float* image, int* offsets, int* byRow, float* product, int ldp)
    {
        int og = g.Og, width = Width(n);
        if (!ByKernelRow(g))
        {
            Channels(og, 0, width, g.K, wt, image, offsets, product, ldp, accumulate: false);
            return;
        }
        int cg = g.Cg, kh = g.Win.KernelH, kw = g.Win.KernelW, taps = cg * kw, wp = g.Pitch;
        for (int c = 0; c < cg; c++)
            for (int i = 0; i < kh; i++)
                for (int j = 0; j < kw; j++) byRow[(i * cg + c) * kw + j] = offsets[(c * kh + i) * kw + j];
        for (int o = 0; o < og; o++) new Span<float>(product + (nint)o * ldp, width).Clear();
        for (int i = 0; i < kh; i++)
        {
            // Output rows [y0, y1) read input row y + i·dh inside the image; positions rounded out to whole vectors.
            int reach = i * g.Win.DilationH;
            int y0 = Math.Clamp(g.Win.PadTop - reach, 0, g.OutH), y1 = Math.Clamp(g.Win.PadTop + g.H - reach, 0, g.OutH);
            if (y0 >= y1) continue;
            int q0 = y0 * wp & ~15, q1 = Math.Min(width, ((y1 - 1) * wp + g.OutW + 15) & ~15);
            Channels(og, q0, q1, taps, wt + (nint)i * taps * og, image, byRow + i * taps, product, ldp, accumulate: true);
        }
    }

    // All og channels over positions [q0, q1) (multiples of 16), up to 8 at a time.
    private static void Channels(int og, int q0, int q1, int k, float* wt, float* image, int* offsets, float* product, int ldp,
        bool accumulate)
    {
        int o = 0;
        for (; og - o >= 8; o += 8) Rows<R8>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate);
        switch (og - o)
        {
            case 7: Rows<R7>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 6: Rows<R6>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 5: Rows<R5>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 4: Rows<R4>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 3: Rows<R3>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 2: Rows<R2>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
            case 1: Rows<R1>(q0, q1, k, og, o, wt, image, offsets, product, ldp, accumulate); break;
        }
    }

    // Channels o0 .. o0 + T.Rows − 1 over positions [q0, q1), a tile of T.Blocks vectors at a time, then one
    // narrower tile for the vectors left (each position's sum is the same whichever tile computes it).
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Rows<T>(int q0, int q1, int k, int og, int o0, float* wt, float* image, int* offsets, float* product,
        int ldp, bool accumulate) where T : struct, ITile
    {
        int span = 16 * T.Blocks, q = q0;
        float* p = product + (nint)o0 * ldp;
        for (; q <= q1 - span; q += span) Tile<T>(k, og, wt + o0, image + q, offsets, p + q, ldp, accumulate);
        switch ((q1 - q) / 16)
        {
            case 3: Tile<Narrow<T, B3>>(k, og, wt + o0, image + q, offsets, p + q, ldp, accumulate); break;
            case 2: Tile<Narrow<T, B2>>(k, og, wt + o0, image + q, offsets, p + q, ldp, accumulate); break;
            case 1: Tile<Narrow<T, B1>>(k, og, wt + o0, image + q, offsets, p + q, ldp, accumulate); break;
        }
    }

    /// <summary>The number of output channels (rows, up to 8) and of 16-position vectors (up to 4) of one tile.</summary>
    private interface ITile
    {
        static abstract int Rows { get; }

        static abstract int Blocks { get; }
    }

    // Rows × Blocks accumulators stay within 24 of the 32 vector registers, leaving room for the inputs.
    private struct R8 : ITile { public static int Rows => 8; public static int Blocks => 3; }
    private struct R7 : ITile { public static int Rows => 7; public static int Blocks => 3; }
    private struct R6 : ITile { public static int Rows => 6; public static int Blocks => 4; }
    private struct R5 : ITile { public static int Rows => 5; public static int Blocks => 4; }
    private struct R4 : ITile { public static int Rows => 4; public static int Blocks => 4; }
    private struct R3 : ITile { public static int Rows => 3; public static int Blocks => 4; }
    private struct R2 : ITile { public static int Rows => 2; public static int Blocks => 4; }
    private struct R1 : ITile { public static int Rows => 1; public static int Blocks => 4; }

    // T's rows with TB's vectors: the tail of a row of tiles.
    private struct Narrow<T, TB> : ITile where T : struct, ITile where TB : struct, ITile
    {
        public static int Rows => T.Rows;
        public static int Blocks => TB.Blocks;
    }

    private struct B1 : ITile { public static int Rows => 0; public static int Blocks => 1; }
    private struct B2 : ITile { public static int Rows => 0; public static int Blocks => 2; }
    private struct B3 : ITile { public static int Rows => 0; public static int Blocks => 3; }

    // One tile. T.Rows and T.Blocks are constants in each instantiation, so the JIT drops every guarded line
    // that the tile does not use and keeps the rest of the accumulators in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tile<T>(int k, int og, float* w, float* x, int* offsets, float* p, int ldp, bool accumulate)
        where T : struct, ITile
    {
        int rows = T.Rows, blocks = T.Blocks;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default;
        Vector512<float> a50 = default, a51 = default, a52 = default, a53 = default;
        Vector512<float> a60 = default, a61 = default, a62 = default;
        Vector512<float> a70 = default, a71 = default, a72 = default;
        if (accumulate)
        {
            Vector512<float> unused = default;
            Load<T>(p, ref a00, ref a01, ref a02, ref a03);
            if (rows > 1) Load<T>(p + ldp, ref a10, ref a11, ref a12, ref a13);
            if (rows > 2) Load<T>(p + 2 * ldp, ref a20, ref a21, ref a22, ref a23);
            if (rows > 3) Load<T>(p + 3 * ldp, ref a30, ref a31, ref a32, ref a33);
            if (rows > 4) Load<T>(p + 4 * ldp, ref a40, ref a41, ref a42, ref a43);
            if (rows > 5) Load<T>(p + 5 * ldp, ref a50, ref a51, ref a52, ref a53);
            if (rows > 6) Load<T>(p + 6 * ldp, ref a60, ref a61, ref a62, ref unused);
            if (rows > 7) Load<T>(p + 7 * ldp, ref a70, ref a71, ref a72, ref unused);
        }
        for (int t = 0; t < k; t++, w += og)
        {
            float* s = x + offsets[t];
            var x0 = Avx512F.LoadVector512(s);
            var x1 = blocks > 1 ? Avx512F.LoadVector512(s + 16) : default;
            var x2 = blocks > 2 ? Avx512F.LoadVector512(s + 32) : default;
            var x3 = blocks > 3 ? Avx512F.LoadVector512(s + 48) : default;
            Vector512<float> b;
            b = Vector512.Create(w[0]);
            a00 = Avx512F.FusedMultiplyAdd(b, x0, a00);
            if (blocks > 1) a01 = Avx512F.FusedMultiplyAdd(b, x1, a01);
            if (blocks > 2) a02 = Avx512F.FusedMultiplyAdd(b, x2, a02);
            if (blocks > 3) a03 = Avx512F.FusedMultiplyAdd(b, x3, a03);
            if (rows > 1)
            {
                b = Vector512.Create(w[1]);
                a10 = Avx512F.FusedMultiplyAdd(b, x0, a10);
                if (blocks > 1) a11 = Avx512F.FusedMultiplyAdd(b, x1, a11);
                if (blocks > 2) a12 = Avx512F.FusedMultiplyAdd(b, x2, a12);
                if (blocks > 3) a13 = Avx512F.FusedMultiplyAdd(b, x3, a13);
            }
            if (rows > 2)
            {
                b = Vector512.Create(w[2]);
                a20 = Avx512F.FusedMultiplyAdd(b, x0, a20);
                if (blocks > 1) a21 = Avx512F.FusedMultiplyAdd(b, x1, a21);
                if (blocks > 2) a22 = Avx512F.FusedMultiplyAdd(b, x2, a22);
                if (blocks > 3) a23 = Avx512F.FusedMultiplyAdd(b, x3, a23);
            }
            if (rows > 3)
            {
                b = Vector512.Create(w[3]);
                a30 = Avx512F.FusedMultiplyAdd(b, x0, a30);
                if (blocks > 1) a31 = Avx512F.FusedMultiplyAdd(b, x1, a31);
                if (blocks > 2) a32 = Avx512F.FusedMultiplyAdd(b, x2, a32);
                if (blocks > 3) a33 = Avx512F.FusedMultiplyAdd(b, x3, a33);
            }
            if (rows > 4)
            {
                b = Vector512.Create(w[4]);
                a40 = Avx512F.FusedMultiplyAdd(b, x0, a40);
                if (blocks > 1) a41 = Avx512F.FusedMultiplyAdd(b, x1, a41);
                if (blocks > 2) a42 = Avx512F.FusedMultiplyAdd(b, x2, a42);
                if (blocks > 3) a43 = Avx512F.FusedMultiplyAdd(b, x3, a43);
            }
            if (rows > 5)
            {
                b = Vector512.Create(w[5]);
                a50 = Avx512F.FusedMultiplyAdd(b, x0, a50);
                if (blocks > 1) a51 = Avx512F.FusedMultiplyAdd(b, x1, a51);
                if (blocks > 2) a52 = Avx512F.FusedMultiplyAdd(b, x2, a52);
                if (blocks > 3) a53 = Avx512F.FusedMultiplyAdd(b, x3, a53);
            }
            if (rows > 6)
            {
                b = Vector512.Create(w[6]);
                a60 = Avx512F.FusedMultiplyAdd(b, x0, a60);
                if (blocks > 1) a61 = Avx512F.FusedMultiplyAdd(b, x1, a61);
                if (blocks > 2) a62 = Avx512F.FusedMultiplyAdd(b, x2, a62);
            }
            if (rows > 7)
            {
                b = Vector512.Create(w[7]);
                a70 = Avx512F.FusedMultiplyAdd(b, x0, a70);
                if (blocks > 1) a71 = Avx512F.FusedMultiplyAdd(b, x1, a71);
                if (blocks > 2) a72 = Avx512F.FusedMultiplyAdd(b, x2, a72);
            }
        }
        Store<T>(p, a00, a01, a02, a03);
        if (rows > 1) Store<T>(p + ldp, a10, a11, a12, a13);
        if (rows > 2) Store<T>(p + 2 * ldp, a20, a21, a22, a23);
        if (rows > 3) Store<T>(p + 3 * ldp, a30, a31, a32, a33);
        if (rows > 4) Store<T>(p + 4 * ldp, a40, a41, a42, a43);
        if (rows > 5) Store<T>(p + 5 * ldp, a50, a51, a52, a53);
        if (rows > 6) Store<T>(p + 6 * ldp, a60, a61, a62, default);
        if (rows > 7) Store<T>(p + 7 * ldp, a70, a71, a72, default);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<T>(float* p, ref Vector512<float> v0, ref Vector512<float> v1, ref Vector512<float> v2,
        ref Vector512<float> v3) where T : struct, ITile
    {
        v0 = Avx512F.LoadVector512(p);
        if (T.Blocks > 1) v1 = Avx512F.LoadVector512(p + 16);
        if (T.Blocks > 2) v2 = Avx512F.LoadVector512(p + 32);
        if (T.Blocks > 3) v3 = Avx512F.LoadVector512(p + 48);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store<T>(float* p, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
        where T : struct, ITile
    {
        Avx512F.Store(p, v0);
        if (T.Blocks > 1) Avx512F.Store(p + 16, v1);
        if (T.Blocks > 2) Avx512F.Store(p + 32, v2);
        if (T.Blocks > 3) Avx512F.Store(p + 48, v3);
    }
}
