using Dendrite.Tensors;

namespace Dendrite.Training.Metrics;

/// <summary>
/// The fraction of samples whose target class is among the <see cref="K"/> highest scores. Output [N,C]
/// with K ≤ C, target class indices [N]. Ties count in the target's favour: it is in the top K when fewer
/// than K classes score strictly higher. Logged as <c>top{K}_accuracy</c>.
/// </summary>
public sealed class TopKAccuracy : RatioMetric
{
    /// <summary>A top-<paramref name="k"/> accuracy; <paramref name="k"/> must be positive.</summary>
    public TopKAccuracy(int k)
    {
        if (k <= 0) throw new ArgumentOutOfRangeException(nameof(k), $"TopKAccuracy: k must be positive, got {k}");
        K = k;
    }

    /// <summary>How many of the best classes count as a hit.</summary>
    public int K { get; }

    /// <inheritdoc />
    public override string Name => $"top{K}_accuracy";

    /// <inheritdoc />
    public override void Update(Tensor output, Tensor target)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(target);
        if (output.Rank != 2 || target.Rank != 1 || target.Shape[0] != output.Shape[0])
            throw ShapeError(output, target, "output [N,C] and class indices [N]");
        int n = output.Shape[0], c = output.Shape[1];
        if (K > c)
            throw new ArgumentException($"{Name}: k = {K} exceeds the number of classes in output shape {output.Shape}");
        var labels = ClassIndices(target, c, output.Shape);
        var scores = output.ToArray();
        long correct = 0;
        for (int i = 0; i < n; i++)
        {
            float own = scores[i * c + labels[i]];
            int higher = 0;
            for (int j = 0; j < c; j++)
                if (scores[i * c + j] > own) higher++;
            if (higher < K) correct++;
        }
        Count(correct, n);
    }

}
