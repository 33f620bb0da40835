using System.Numerics;
using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

// The paths that never pack: matrix-vector products (m = 1 or n = 1), products too small to be worth packing,
// and k = 0 or α = 0 (C is only scaled); with the scalar epilogue they share with the sliced packed path.
internal static unsafe partial class Gemm
{
    // The epilogue of the paths that do not end in a micro-kernel: α, β·C, bias and ReLU, element by element.

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
}
