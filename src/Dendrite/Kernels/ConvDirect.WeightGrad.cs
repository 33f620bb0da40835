using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

// The weight gradient of a stride-1 convolution with 9 to 16 output channels per group (LeNet's second layer):
// dWᵀ[t, o] += Σ_q X[offsets[t] + q']·dY[o, q] with the output channels as the 16 lanes of one vector. Every
// valid output pixel q (no wrapped columns) is one broadcast input value times one vector of dY per tap, and
// nothing needs a horizontal sum, where the row dot products (Dots.RowDots) spend as much on those sums as on
// the products for a 10×10 map and compute the wrapped columns too. Below 9 channels over half the lanes
// would be idle, so those layers keep the dot products.
internal static unsafe partial class ConvDirect
{
    /// <summary>The fewest output channels per group for which <see cref="WeightGradTakes"/> holds (half the lanes).</summary>
    internal const int WeightGradMinChannels = 9;

    /// <summary>
    /// Whether the weight gradient runs on <see cref="WeightGrad"/>: 9 to 16 output channels per group, no
    /// horizontal dilation (the taps of a kernel row are then adjacent in memory) and kernels 3 to 5 wide.
    /// </summary>
    public static bool WeightGradTakes(in ConvGeometry g) =>
        Enabled && Gemm.Isa == GemmIsa.Avx512 && g.Og >= WeightGradMinChannels && g.Og <= 16 && g.Implicit
        && g.Win.DilationW == 1 && g.Win.KernelW is >= 3 and <= 5;

    /// <summary>
    /// dyT[q, o] = dy[o, q] for one image's og ≤ 16 rows of P pixels, lanes og..15 zero: the layout
    /// <see cref="WeightGrad"/> reads.
    /// </summary>
    public static void TransposeChannels(float* dy, int og, int p, float* dyT)
    {
        for (int q = 0; q < p; q++)
        {
            float* d = dyT + (nint)q * 16;
            int o = 0;
            for (; o < og; o++) d[o] = dy[(nint)o * p + q];
            for (; o < 16; o++) d[o] = 0f;
        }
    }

    /// <summary>
    /// partial[t, 0..15] = (accumulate ? partial[t] : 0) + Σ_q X[offsets[t] + y·wp + x]·dyT[q] over the valid
    /// output pixels q = (y, x) in row-major order, for every tap t of a [rows·kw] kernel (rows = channels ×
    /// kernel rows; <paramref name="offsets"/> is the table of <see cref="Conv.PadForImplicitIm2Col"/>).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void WeightGrad(int rows, int kw, int outH, int outW, int wp, float* image, int* offsets, float* dyT,
        float* partial, bool accumulate)
    {
        switch (kw)
        {
            case 3: TapRows<J3>(rows, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 4: TapRows<J4>(rows, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 5: TapRows<J5>(rows, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            default: throw new ArgumentException($"ConvDirect.WeightGrad: kernel width {kw} is not 3 to 5");
        }
    }

    // Kernel rows a full tile at a time, then one shorter tile for the rest. (Tiles may not overlap: each adds
    // into the partial, so a row computed twice would count twice.)
    private static void TapRows<TJ>(int rows, int outH, int outW, int wp, float* image, int* offsets, float* dyT,
        float* partial, bool accumulate) where TJ : struct, ITaps
    {
        int r = 0;
        for (; rows - r >= TJ.Rows; r += TJ.Rows)
        {
            if (TJ.Rows == 6) Taps<TJ, R6>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate);
            else Taps<TJ, R5>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate);
        }
        switch (rows - r)
        {
            case 5: Taps<TJ, R5>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 4: Taps<TJ, R4>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 3: Taps<TJ, R3>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 2: Taps<TJ, R2>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
            case 1: Taps<TJ, R1>(r, outH, outW, wp, image, offsets, dyT, partial, accumulate); break;
        }
    }

    /// <summary>A kernel width (Columns taps per kernel row) and how many kernel rows one tile takes (Rows).</summary>
    private interface ITaps
    {
        static abstract int Columns { get; }

        static abstract int Rows { get; }
    }

    // Rows × Columns accumulators: 18, 24 or 25 of the 32 vector registers; six row pointers at most.
    private struct J3 : ITaps { public static int Columns => 3; public static int Rows => 6; }
    private struct J4 : ITaps { public static int Columns => 4; public static int Rows => 6; }
    private struct J5 : ITaps { public static int Columns => 5; public static int Rows => 5; }

    // One tile: kernel rows r0 .. r0 + TR.Rows − 1, all TJ.Columns taps of each. The guarded lines a tile does not
    // use vanish when the JIT specialises it, and the rest of the accumulators stay in registers.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Taps<TJ, TR>(int r0, int outH, int outW, int wp, float* image, int* offsets, float* dyT,
        float* partial, bool accumulate) where TJ : struct, ITaps where TR : struct, ITile
    {
        int kw = TJ.Columns, rows = TR.Rows;
        float* p = partial + (nint)r0 * kw * 16;
        Vector512<float> a00 = default, a01 = default, a02 = default, a03 = default, a04 = default;
        Vector512<float> a10 = default, a11 = default, a12 = default, a13 = default, a14 = default;
        Vector512<float> a20 = default, a21 = default, a22 = default, a23 = default, a24 = default;
        Vector512<float> a30 = default, a31 = default, a32 = default, a33 = default, a34 = default;
        Vector512<float> a40 = default, a41 = default, a42 = default, a43 = default, a44 = default;
        Vector512<float> a50 = default, a51 = default, a52 = default, a53 = default;
        if (accumulate)
        {
            Load<TJ>(p, ref a00, ref a01, ref a02, ref a03, ref a04);
            if (rows > 1) Load<TJ>(p + kw * 16, ref a10, ref a11, ref a12, ref a13, ref a14);
            if (rows > 2) Load<TJ>(p + 2 * kw * 16, ref a20, ref a21, ref a22, ref a23, ref a24);
            if (rows > 3) Load<TJ>(p + 3 * kw * 16, ref a30, ref a31, ref a32, ref a33, ref a34);
            if (rows > 4) Load<TJ>(p + 4 * kw * 16, ref a40, ref a41, ref a42, ref a43, ref a44);
            Vector512<float> unused = default;
            if (rows > 5) Load<TJ>(p + 5 * kw * 16, ref a50, ref a51, ref a52, ref a53, ref unused);
        }
        // The input row each kernel row of the tile starts from; offsets holds each tap's, a row's first tap first.
        float* x0 = image + offsets[r0 * kw];
        float* x1 = rows > 1 ? image + offsets[(r0 + 1) * kw] : null;
        float* x2 = rows > 2 ? image + offsets[(r0 + 2) * kw] : null;
        float* x3 = rows > 3 ? image + offsets[(r0 + 3) * kw] : null;
        float* x4 = rows > 4 ? image + offsets[(r0 + 4) * kw] : null;
        float* x5 = rows > 5 ? image + offsets[(r0 + 5) * kw] : null;
        float* d = dyT;
        for (int y = 0; y < outH; y++, x0 += wp, x1 += wp, x2 += wp, x3 += wp, x4 += wp, x5 += wp)
        {
            for (int x = 0; x < outW; x++, d += 16)
            {
                var g = Avx512F.LoadVector512(d);
                a00 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[x]), g, a00);
                a01 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[x + 1]), g, a01);
                a02 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[x + 2]), g, a02);
                if (kw > 3) a03 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[x + 3]), g, a03);
                if (kw > 4) a04 = Avx512F.FusedMultiplyAdd(Vector512.Create(x0[x + 4]), g, a04);
                if (rows > 1)
                {
                    a10 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[x]), g, a10);
                    a11 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[x + 1]), g, a11);
                    a12 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[x + 2]), g, a12);
                    if (kw > 3) a13 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[x + 3]), g, a13);
                    if (kw > 4) a14 = Avx512F.FusedMultiplyAdd(Vector512.Create(x1[x + 4]), g, a14);
                }
                if (rows > 2)
                {
                    a20 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[x]), g, a20);
                    a21 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[x + 1]), g, a21);
                    a22 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[x + 2]), g, a22);
                    if (kw > 3) a23 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[x + 3]), g, a23);
                    if (kw > 4) a24 = Avx512F.FusedMultiplyAdd(Vector512.Create(x2[x + 4]), g, a24);
                }
                if (rows > 3)
                {
                    a30 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[x]), g, a30);
                    a31 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[x + 1]), g, a31);
                    a32 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[x + 2]), g, a32);
                    if (kw > 3) a33 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[x + 3]), g, a33);
                    if (kw > 4) a34 = Avx512F.FusedMultiplyAdd(Vector512.Create(x3[x + 4]), g, a34);
                }
                if (rows > 4)
                {
                    a40 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[x]), g, a40);
                    a41 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[x + 1]), g, a41);
                    a42 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[x + 2]), g, a42);
                    if (kw > 3) a43 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[x + 3]), g, a43);
                    if (kw > 4) a44 = Avx512F.FusedMultiplyAdd(Vector512.Create(x4[x + 4]), g, a44);
                }
                if (rows > 5)
                {
                    a50 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[x]), g, a50);
                    a51 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[x + 1]), g, a51);
                    a52 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[x + 2]), g, a52);
                    if (kw > 3) a53 = Avx512F.FusedMultiplyAdd(Vector512.Create(x5[x + 3]), g, a53);
                }
            }
        }
        Save<TJ>(p, a00, a01, a02, a03, a04);
        if (rows > 1) Save<TJ>(p + kw * 16, a10, a11, a12, a13, a14);
        if (rows > 2) Save<TJ>(p + 2 * kw * 16, a20, a21, a22, a23, a24);
        if (rows > 3) Save<TJ>(p + 3 * kw * 16, a30, a31, a32, a33, a34);
        if (rows > 4) Save<TJ>(p + 4 * kw * 16, a40, a41, a42, a43, a44);
        if (rows > 5) Save<TJ>(p + 5 * kw * 16, a50, a51, a52, a53, default);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Load<TJ>(float* p, ref Vector512<float> v0, ref Vector512<float> v1, ref Vector512<float> v2,
        ref Vector512<float> v3, ref Vector512<float> v4) where TJ : struct, ITaps
    {
        v0 = Avx512F.LoadVector512(p);
        v1 = Avx512F.LoadVector512(p + 16);
        v2 = Avx512F.LoadVector512(p + 32);
        if (TJ.Columns > 3) v3 = Avx512F.LoadVector512(p + 48);
        if (TJ.Columns > 4) v4 = Avx512F.LoadVector512(p + 64);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Save<TJ>(float* p, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2,
        Vector512<float> v3, Vector512<float> v4) where TJ : struct, ITaps
    {
        Avx512F.Store(p, v0);
        Avx512F.Store(p + 16, v1);
        Avx512F.Store(p + 32, v2);
        if (TJ.Columns > 3) Avx512F.Store(p + 48, v3);
        if (TJ.Columns > 4) Avx512F.Store(p + 64, v4);
    }
}
