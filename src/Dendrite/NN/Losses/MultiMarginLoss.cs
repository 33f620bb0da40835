using System.Globalization;
using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Multi-class hinge loss, like <c>torch.nn.MultiMarginLoss</c>: on scores [N,C] (or [C]) and class indices
/// [N], ℓₙ = (1/C)·Σ_{i≠yₙ} w[yₙ]·max(0, margin − xₙ[yₙ] + xₙ[i])^p. <see cref="P"/> ∈ {1, 2} (default 1),
/// <see cref="Margin"/> default 1, optional per-class <see cref="Weight"/> [C].
/// </summary>
public sealed class MultiMarginLoss : Loss
{
    public MultiMarginLoss(int p = 1, float margin = 1f, Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        Functional.CheckMultiMarginOptions(p, margin);
        Functional.CheckWeightRank(weight, "MultiMarginLoss");
        P = p;
        Margin = margin;
        if (weight is not null) Weight = RegisterBuffer("weight", weight);
    }

    /// <summary>The power of each hinge term: 1 or 2.</summary>
    public int P { get; }

    /// <summary>How far the true class's score must exceed every other.</summary>
    public float Margin { get; }

    /// <summary>Per-class weights [C], or null.</summary>
    public Tensor? Weight { get; }

    public override Tensor Forward(Tensor input, Tensor target) => Functional.MultiMarginLoss(input, target, P, Margin, Weight, Reduction);

    protected override string ExtraRepr()
    {
        var parts = new List<string> { $"p={P}", $"margin={Margin.ToString(CultureInfo.InvariantCulture)}" };
        if (base.ExtraRepr().Length > 0) parts.Add(base.ExtraRepr());
        return string.Join(", ", parts);
    }
}
