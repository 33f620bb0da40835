using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Dendrite.Kernels;

/// <summary>
/// Every row of A against every row of B, both read in place along the reduction: C[i, j] = β·C[i, j] +
/// Σ_q a_i[q]·b_j[q], a_i = A + i·lda, b_j = B + offsets[j] (rows of B anywhere). This is the shape of a
/// stride-1 convolution's weight gradient, dY against the padded input's shifted rows, where the reduction
/// runs along memory in both operands: a GEMM would transpose both into packed panels first (about as much
/// copying as an im2col), here blocks of 6 (or 4) × 4 rows are multiplied 16 lanes at a time in registers and
/// each dot product is finished by a fixed horizontal sum, so results depend on nothing but the inputs.
/// </summary>
/// <remarks>AVX-512 only (<see cref="IsSupported"/>); callers use the packed GEMM elsewhere.</remarks>
internal static unsafe class Dots
{
    /// <summary>Whether <see cref="RowDots"/> can run: AVX-512, and the GEMM not held to a lesser kernel.</summary>
    public static bool IsSupported => Gemm.Isa == GemmIsa.Avx512;

    /// <summary>
    /// The rows of A that <see cref="RowDots"/> needs for m real ones: m rounded up to a multiple of 4 or of 6,
    /// whichever is smaller (LeNet's 6 channels: 6, not 8).
    /// </summary>
    public static int PaddedRows(int m) => Math.Min((m + 3) / 4 * 4, (m + 5) / 6 * 6);

    /// <summary>
    /// C[i, j] = β·C[i, j] + a_i·b_j for i &lt; m, j &lt; rows. m must be a multiple of 4 or 6 (see
    /// <see cref="PaddedRows"/>), rows of 4 and length of 16 (the caller pads with zero rows and zero tails);
    /// every row is read for exactly length floats. Blocks of 6 (or 4) rows of A × 4 rows of B stay in registers;
    /// each dot product's sum does not depend on the block it is computed in.
    /// </summary>
    public static void RowDots(int m, int rows, int length, float* a, nint lda, float* b, int* offsets, float beta,
        float* c, nint ldc)
    {
        if ((m % 4 != 0 && m % 6 != 0) || rows % 4 != 0 || length % 16 != 0)
            throw new ArgumentException($"RowDots: m={m} must be a multiple of 4 or 6, rows={rows} of 4, length={length} of 16");
        if (m % 6 == 0) Blocks<Six>(m, rows, length, a, lda, b, offsets, beta, c, ldc);
        else Blocks<Four>(m, rows, length, a, lda, b, offsets, beta, c, ldc);
    }

    private interface IBlockRows
    {
        static abstract int Rows { get; }
    }

    // 6 × 4 accumulators + 4 rows of B + 1 of A: 29 of the 32 vector registers; 10 loads feed 24 multiply-adds.
    private struct Six : IBlockRows { public static int Rows => 6; }
    private struct Four : IBlockRows { public static int Rows => 4; }

    // T.Rows is a constant in each instantiation: the JIT drops the lines of rows 4 and 5 for blocks of 4.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Blocks<T>(int m, int rows, int length, float* a, nint lda, float* b, int* offsets, float beta,
        float* c, nint ldc) where T : struct, IBlockRows
    {
        int mr = T.Rows;
        for (int i = 0; i < m; i += mr)
        {
            float* a0 = a + i * lda, a1 = a0 + lda, a2 = a1 + lda, a3 = a2 + lda, a4 = a3 + lda, a5 = a4 + lda;
            for (int j = 0; j < rows; j += 4)
            {
                float* b0 = b + offsets[j], b1 = b + offsets[j + 1], b2 = b + offsets[j + 2], b3 = b + offsets[j + 3];
                Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default;
                Vector512<float> c10 = default, c11 = default, c12 = default, c13 = default;
                Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default;
                Vector512<float> c30 = default, c31 = default, c32 = default, c33 = default;
                Vector512<float> c40 = default, c41 = default, c42 = default, c43 = default;
                Vector512<float> c50 = default, c51 = default, c52 = default, c53 = default;
                for (int q = 0; q < length; q += 16)
                {
                    var x0 = Avx512F.LoadVector512(b0 + q);
                    var x1 = Avx512F.LoadVector512(b1 + q);
                    var x2 = Avx512F.LoadVector512(b2 + q);
                    var x3 = Avx512F.LoadVector512(b3 + q);
                    var y = Avx512F.LoadVector512(a0 + q);
                    c00 = Avx512F.FusedMultiplyAdd(y, x0, c00);
                    c01 = Avx512F.FusedMultiplyAdd(y, x1, c01);
                    c02 = Avx512F.FusedMultiplyAdd(y, x2, c02);
                    c03 = Avx512F.FusedMultiplyAdd(y, x3, c03);
                    y = Avx512F.LoadVector512(a1 + q);
                    c10 = Avx512F.FusedMultiplyAdd(y, x0, c10);
                    c11 = Avx512F.FusedMultiplyAdd(y, x1, c11);
                    c12 = Avx512F.FusedMultiplyAdd(y, x2, c12);
                    c13 = Avx512F.FusedMultiplyAdd(y, x3, c13);
                    y = Avx512F.LoadVector512(a2 + q);
                    c20 = Avx512F.FusedMultiplyAdd(y, x0, c20);
                    c21 = Avx512F.FusedMultiplyAdd(y, x1, c21);
                    c22 = Avx512F.FusedMultiplyAdd(y, x2, c22);
                    c23 = Avx512F.FusedMultiplyAdd(y, x3, c23);
                    y = Avx512F.LoadVector512(a3 + q);
                    c30 = Avx512F.FusedMultiplyAdd(y, x0, c30);
                    c31 = Avx512F.FusedMultiplyAdd(y, x1, c31);
                    c32 = Avx512F.FusedMultiplyAdd(y, x2, c32);
                    c33 = Avx512F.FusedMultiplyAdd(y, x3, c33);
                    if (mr > 4)
                    {
                        y = Avx512F.LoadVector512(a4 + q);
                        c40 = Avx512F.FusedMultiplyAdd(y, x0, c40);
                        c41 = Avx512F.FusedMultiplyAdd(y, x1, c41);
                        c42 = Avx512F.FusedMultiplyAdd(y, x2, c42);
                        c43 = Avx512F.FusedMultiplyAdd(y, x3, c43);
                        y = Avx512F.LoadVector512(a5 + q);
                        c50 = Avx512F.FusedMultiplyAdd(y, x0, c50);
                        c51 = Avx512F.FusedMultiplyAdd(y, x1, c51);
                        c52 = Avx512F.FusedMultiplyAdd(y, x2, c52);
                        c53 = Avx512F.FusedMultiplyAdd(y, x3, c53);
                    }
                }
                float* r = c + i * ldc + j;
                Finish(r, c00, c01, c02, c03, beta);
                Finish(r + ldc, c10, c11, c12, c13, beta);
                Finish(r + 2 * ldc, c20, c21, c22, c23, beta);
                Finish(r + 3 * ldc, c30, c31, c32, c33, beta);
                if (mr > 4)
                {
                    Finish(r + 4 * ldc, c40, c41, c42, c43, beta);
                    Finish(r + 5 * ldc, c50, c51, c52, c53, beta);
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Finish(float* r, Vector512<float> s0, Vector512<float> s1, Vector512<float> s2,
        Vector512<float> s3, float beta)
    {
        float d0 = Vector512.Sum(s0), d1 = Vector512.Sum(s1), d2 = Vector512.Sum(s2), d3 = Vector512.Sum(s3);
        if (beta == 0f)
        {
            r[0] = d0;
            r[1] = d1;
            r[2] = d2;
            r[3] = d3;
        }
        else
        {
            r[0] = beta * r[0] + d0;
            r[1] = beta * r[1] + d1;
            r[2] = beta * r[2] + d2;
            r[3] = beta * r[3] + d3;
        }
    }
}
