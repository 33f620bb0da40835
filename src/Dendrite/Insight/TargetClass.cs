using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// The class an attribution explains: one class for every sample (an <c>int</c> converts implicitly) or one
/// per sample (a tensor of class indices of shape [N], as labels are held, or an <c>int[]</c>).
/// </summary>
public readonly struct TargetClass
{
    private readonly int single;
    private readonly int[]? perSample;
    private readonly Tensor? labels;

    private TargetClass(int single, int[]? perSample, Tensor? labels)
    {
        this.single = single;
        this.perSample = perSample;
        this.labels = labels;
    }

    /// <summary>The same class for every sample.</summary>
    public static implicit operator TargetClass(int target) => new(target, null, null);

    /// <summary>One class per sample, as a tensor of whole numbers of shape [N].</summary>
    public static implicit operator TargetClass(Tensor targets) => new(0, null, targets ?? throw new ArgumentNullException(nameof(targets)));

    /// <summary>One class per sample.</summary>
    public static implicit operator TargetClass(int[] targets) => new(0, targets ?? throw new ArgumentNullException(nameof(targets)), null);

    /// <summary>One class index per sample of a batch of <paramref name="n"/>, each checked against <paramref name="classes"/>.</summary>
    internal int[] Resolve(int n, int classes, string op)
    {
        if (labels is not null) return Probe.Labels(labels, n, classes, op, "targets");
        if (perSample is null) return Probe.Targets(single, n, classes, op);
        if (perSample.Length != n)
            throw new ArgumentException($"{op}: {perSample.Length} target(s) for a batch of {n}; give one class per sample");
        foreach (int t in perSample) Probe.CheckClass(t, classes, op, "target");
        return (int[])perSample.Clone();
    }
}
