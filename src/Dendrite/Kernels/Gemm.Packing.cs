using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

// Packing: op(A) into MR-row micro-panels and op(B) into NR-column micro-panels, transposing on the way
// (8×8 and 6×8 AVX transposes where whole blocks allow).
internal static unsafe partial class Gemm
{
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
        // The second half of an 8×8 transpose whose rows 6 and 7 are zero (what each store spills past its 6 floats).
        ShuffleAndStore(Avx.UnpackLow(r0, r1), Avx.UnpackHigh(r0, r1), Avx.UnpackLow(r2, r3), Avx.UnpackHigh(r2, r3),
            Avx.UnpackLow(r4, r5), Avx.UnpackHigh(r4, r5), z, z, dst, 6);
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
        Vector256<float> r4, Vector256<float> r5, Vector256<float> r6, Vector256<float> r7, float* dst, nint ldd) =>
        ShuffleAndStore(Avx.UnpackLow(r0, r1), Avx.UnpackHigh(r0, r1), Avx.UnpackLow(r2, r3), Avx.UnpackHigh(r2, r3),
            Avx.UnpackLow(r4, r5), Avx.UnpackHigh(r4, r5), Avx.UnpackLow(r6, r7), Avx.UnpackHigh(r6, r7), dst, ldd);

    /// <summary>
    /// The second half of an 8×8 transpose: from rows interleaved in pairs (t0 = unpacklo(r0, r1), t1 =
    /// unpackhi(r0, r1), ...), 64-bit shuffles and 128-bit lane permutes give the columns, stored
    /// <paramref name="ldd"/> apart.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ShuffleAndStore(Vector256<float> t0, Vector256<float> t1, Vector256<float> t2, Vector256<float> t3,
        Vector256<float> t4, Vector256<float> t5, Vector256<float> t6, Vector256<float> t7, float* dst, nint ldd)
    {
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
}
