using System.Globalization;
using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Log-softmax + negative log-likelihood, like <c>torch.nn.CrossEntropyLoss</c>, on logits [N,C],
/// [N,C,d₁,...] (classes on axis 1) or [C]. Targets are class indices ([N] / [N,d₁,...], whole numbers) or
/// class probabilities of the input's shape. Options as in PyTorch: per-class <see cref="Weight"/> [C]
/// (weighted mean divides by Σ w[yₙ]), <see cref="IgnoreIndex"/> (default −100), <see cref="LabelSmoothing"/>
/// ε ∈ [0,1] (default 0). See <see cref="Functional.CrossEntropy"/> for the formulas. With
/// <see cref="Bits"/> the loss is in bits (log base 2, the natural-log loss divided by ln 2), as information
/// theory and the course count it: a probability of 0.01 on the right class costs −log₂ 0.01 = 6.64 bits.
/// </summary>
public sealed class CrossEntropyLoss : Loss
{
    public CrossEntropyLoss(Tensor? weight = null, int ignoreIndex = Functional.DefaultIgnoreIndex,
        Reduction reduction = Reduction.Mean, float labelSmoothing = 0f, bool bits = false) : base(reduction)
    {
        Bits = bits;
        Functional.CheckLabelSmoothing(labelSmoothing, "CrossEntropyLoss");
        Functional.CheckWeightRank(weight, "CrossEntropyLoss");
        if (weight is not null) Weight = RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
        LabelSmoothing = labelSmoothing;
    }

    /// <summary>Per-class weights [C], or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Target label that contributes nothing to the loss or its mean.</summary>
    public int IgnoreIndex { get; }

    /// <summary>Label-smoothing amount ε.</summary>
    public float LabelSmoothing { get; }

    /// <summary>Whether the loss is in bits (log base 2) rather than nats (natural log, PyTorch's).</summary>
    public bool Bits { get; }

    public override Tensor Forward(Tensor input, Tensor target)
    {
        var nats = Functional.CrossEntropy(input, target, Weight, IgnoreIndex, Reduction, LabelSmoothing);
        // log₂ p = ln p / ln 2; the gradient scales by the same constant through the multiplication.
        return Bits ? nats * (float)(1 / Math.Log(2)) : nats;
    }

    protected override string ExtraRepr()
    {
        var parts = new List<string>();
        if (IgnoreIndex != Functional.DefaultIgnoreIndex) parts.Add($"ignore_index={IgnoreIndex}");
        if (Bits) parts.Add("bits=True");
        if (LabelSmoothing != 0) parts.Add($"label_smoothing={LabelSmoothing.ToString(CultureInfo.InvariantCulture)}");
        if (base.ExtraRepr().Length > 0) parts.Add(base.ExtraRepr());
        return string.Join(", ", parts);
    }
}
