using System.Runtime.CompilerServices;
namespace Dendrite.Kernels;

/// <summary>
/// Cross-entropy with class-index targets over log-probabilities in a contiguous [outer, C, inner] block
/// (classes on the middle axis; position n = o·inner + i), with optional class weights w, an ignored label,
/// and label smoothing ε. Per position: ℓₙ = (1−ε)·(−w[y]·log p[y]) + (ε/C)·(−Σ꜀ w[c]·log p[c]), 0 if ignored.
/// </summary>
internal static class CrossEntropy
{
    /// <summary>Writes ℓₙ into <paramref name="loss"/> and returns Σₙ ℓₙ (accumulated in double).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Forward(ReadOnlySpan<float> logp, int outer, int classes, int inner, ReadOnlySpan<int> labels,
        ReadOnlySpan<float> weight, int ignoreIndex, float smoothing, Span<float> loss)
    {
        double total = 0;
        bool weighted = !weight.IsEmpty;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int n = o * inner + i, y = labels[n];
                if (y == ignoreIndex)
                {
                    loss[n] = 0f;
                    continue;
                }
                int b = o * classes * inner + i;
                double value = -(weighted ? weight[y] : 1f) * (double)logp[b + y * inner];
                if (smoothing > 0)
                {
                    double smooth = 0;
                    for (int c = 0; c < classes; c++) smooth -= (weighted ? weight[c] : 1f) * (double)logp[b + c * inner];
                    value = (1 - smoothing) * value + smoothing / classes * smooth;
                }
                loss[n] = (float)value;
                total += value;
            }
        }
        return total;
    }

    /// <summary>
    /// dx = gₙ·[((1−ε)w[y] + (ε/C)Σ꜀w[c])·p − (1−ε)w[y]·onehot(y) − (ε/C)·w], with p = exp(log p) and
    /// gₙ = <paramref name="scale"/>·g[n·<paramref name="gradStride"/>] (stride 0 for a reduced loss); 0 at ignored positions.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(ReadOnlySpan<float> logp, int outer, int classes, int inner, ReadOnlySpan<int> labels,
        ReadOnlySpan<float> weight, int ignoreIndex, float smoothing, ReadOnlySpan<float> grad, int gradStride, float scale, Span<float> dx)
    {
        bool weighted = !weight.IsEmpty;
        float weightTotal = classes;
        if (weighted)
        {
            weightTotal = 0;
            foreach (float w in weight) weightTotal += w;
        }
        float share = smoothing / classes;
        for (int o = 0; o < outer; o++)
        {
            for (int i = 0; i < inner; i++)
            {
                int n = o * inner + i, y = labels[n], b = o * classes * inner + i;
                if (y == ignoreIndex)
                {
                    for (int c = 0; c < classes; c++) dx[b + c * inner] = 0f;
                    continue;
                }
                float g = scale * grad[n * gradStride];
                float target = (1 - smoothing) * (weighted ? weight[y] : 1f);
                float onP = target + share * weightTotal;
                for (int c = 0; c < classes; c++)
                {
                    float d = onP * MathF.Exp(logp[b + c * inner]) - share * (weighted ? weight[c] : 1f);
                    if (c == y) d -= target;
                    dx[b + c * inner] = g * d;
                }
            }
        }
    }
}
