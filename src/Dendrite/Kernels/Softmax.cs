using System.Runtime.CompilerServices;
namespace Dendrite.Kernels;

/// <summary>
/// Numerically stable softmax and log-softmax over the middle axis of a contiguous [outer, n, inner]
/// block. Both subtract the row maximum first, so exp never overflows (TensorPrimitives.SoftMax does not,
/// which is why these are our own).
/// </summary>
internal static class Softmax
{
    /// <summary>dst = exp(x − max) / Σ exp(x − max), or with <paramref name="log"/>: x − max − log Σ exp(x − max).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(ReadOnlySpan<float> src, int outer, int n, int inner, Span<float> dst, bool log)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                float m = float.NegativeInfinity;
                for (int r = 0; r < n; r++) m = MathF.Max(m, src[b + r * inner]);
                if (float.IsNegativeInfinity(m)) m = 0; // an all −∞ row gives NaN, as in PyTorch, not a crash
                double sum = 0;
                for (int r = 0; r < n; r++) sum += Math.Exp(src[b + r * inner] - m);
                if (log)
                {
                    float lse = m + (float)Math.Log(sum);
                    for (int r = 0; r < n; r++) dst[b + r * inner] = src[b + r * inner] - lse;
                }
                else
                {
                    float scale = (float)(1.0 / sum);
                    for (int r = 0; r < n; r++) dst[b + r * inner] = MathF.Exp(src[b + r * inner] - m) * scale;
                }
            }
        }
    }

    /// <summary>
    /// Gradient through softmax y: dx = y ⊙ (g − Σ g⊙y); through log-softmax y: dx = g − exp(y)·Σ g.
    /// <paramref name="y"/> and <paramref name="g"/> are contiguous [outer, n, inner] blocks.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> y, ReadOnlySpan<float> g, int outer, int n, int inner, Span<float> dx, bool log)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int b = o * n * inner + i;
                double dot = 0;
                for (int r = 0; r < n; r++)
                {
                    int k = b + r * inner;
                    dot += log ? g[k] : (double)g[k] * y[k];
                }
                float s = (float)dot;
                for (int r = 0; r < n; r++)
                {
                    int k = b + r * inner;
                    dx[k] = log ? g[k] - MathF.Exp(y[k]) * s : y[k] * (g[k] - s);
                }
            }
        }
    }
}
