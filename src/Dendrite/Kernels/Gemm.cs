namespace Dendrite.Kernels;

/// <summary>
/// Single-precision general matrix multiply, row-major: C = α·op(A)·op(B) + β·C where op(A) is m×k and
/// op(B) is k×n; op(X) = Xᵀ when the matching trans flag is set. lda/ldb/ldc are the row strides of the
/// stored matrices. With β = 0, C is overwritten (its old contents, even NaN, are ignored), as in BLAS.
/// This is the simple, cache-friendly reference version; the fast packed kernel replaces this file.
/// </summary>
internal static class Gemm
{
    public static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        for (int i = 0; i < m; i++)
        {
            var cRow = c.Slice(i * ldc, n);
            if (beta == 0f) cRow.Clear();
            else if (beta != 1f)
                for (int j = 0; j < n; j++) cRow[j] *= beta;
            if (k == 0 || alpha == 0f) continue;

            if (!transB)
            {
                // i-p-j order: the inner loop streams a row of B and a row of C.
                for (int p = 0; p < k; p++)
                {
                    float aip = alpha * (transA ? a[p * lda + i] : a[i * lda + p]);
                    var bRow = b.Slice(p * ldb, n);
                    for (int j = 0; j < n; j++) cRow[j] += aip * bRow[j];
                }
            }
            else
            {
                // Bᵀ: B's rows are C's columns, so each C element is a dot product of two rows.
                for (int j = 0; j < n; j++)
                {
                    var bRow = b.Slice(j * ldb, k);
                    float acc = 0;
                    if (!transA)
                    {
                        var aRow = a.Slice(i * lda, k);
                        for (int p = 0; p < k; p++) acc += aRow[p] * bRow[p];
                    }
                    else
                    {
                        for (int p = 0; p < k; p++) acc += a[p * lda + i] * bRow[p];
                    }
                    cRow[j] += alpha * acc;
                }
            }
        }
    }
}
