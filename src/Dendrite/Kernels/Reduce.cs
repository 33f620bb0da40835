using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
namespace Dendrite.Kernels;

/// <summary>
/// Reductions over the middle axis of a contiguous block laid out as [outer, n, inner]: any reduction over
/// adjacent axes of a row-major tensor has this form. The order of additions is fixed, so results do not
/// depend on the thread count.
/// </summary>
internal static class Reduce
{
    /// <summary>dst[o, i] = Σ_r src[o, r, i].</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Sum(ReadOnlySpan<float> src, int outer, int n, int inner, Span<float> dst)
    {
        for (int o = 0; o < outer; o++)
        {
            var d = dst.Slice(o * inner, inner);
            if (inner == 1)
            {
                // Double accumulation keeps long row sums (losses, means) accurate to float precision.
                double acc = 0;
                var row = src.Slice(o * n, n);
                for (int r = 0; r < n; r++) acc += row[r];
                d[0] = (float)acc;
                continue;
            }
            d.Clear();
            for (int r = 0; r < n; r++) AddTo(d, src.Slice((o * n + r) * inner, inner));
        }
    }

    // d[i] += s[i], 8 lanes at a time: each element still sees its additions in the same order (row by row),
    // so the result is the scalar loop's, bit for bit. A bias gradient (Σ over a batch of 64 rows of 256) is
    // a pass per layer in every training step.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddTo(Span<float> d, ReadOnlySpan<float> s)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref float dr = ref MemoryMarshal.GetReference(d);
            ref float sr = ref MemoryMarshal.GetReference(s);
            for (; i <= d.Length - 8; i += 8)
                (Vector256.LoadUnsafe(ref dr, (nuint)i) + Vector256.LoadUnsafe(ref sr, (nuint)i)).StoreUnsafe(ref dr, (nuint)i);
        }
        for (; i < d.Length; i++) d[i] += s[i];
    }

    /// <summary>
    /// values[o, i] = max (or min) over r of src[o, r, i], indices[o, i] = the first r that attains it.
    /// NaN counts as the extreme (it propagates, as in PyTorch).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ArgExtreme(ReadOnlySpan<float> src, int outer, int n, int inner, bool max,
        Span<float> values, Span<int> indices)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner + i;
                float best = src[baseIndex];
                int bestR = 0;
                for (int r = 1; r < n && !float.IsNaN(best); r++)
                {
                    float v = src[baseIndex + r * inner];
                    if (float.IsNaN(v) || (max ? v > best : v < best))
                    {
                        best = v;
                        bestR = r;
                    }
                }
                values[o * inner + i] = best;
                indices[o * inner + i] = bestR;
            }
        }
    }

    /// <summary>dst[o, i] = log Σ_r exp(src[o, r, i]), computed as m + log Σ exp(x − m) with m the max.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LogSumExp(ReadOnlySpan<float> src, int outer, int n, int inner, Span<float> dst)
    {
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int baseIndex = o * n * inner + i;
                float m = float.NegativeInfinity;
                for (int r = 0; r < n; r++) m = MathF.Max(m, src[baseIndex + r * inner]);
                if (float.IsNegativeInfinity(m) || float.IsPositiveInfinity(m) || float.IsNaN(m))
                {
                    // All −∞ gives −∞; any +∞ gives +∞; NaN propagates — without computing ∞ − ∞.
                    dst[o * inner + i] = m;
                    continue;
                }
                double acc = 0;
                for (int r = 0; r < n; r++) acc += Math.Exp(src[baseIndex + r * inner] - m);
                dst[o * inner + i] = m + (float)Math.Log(acc);
            }
        }
    }
}
