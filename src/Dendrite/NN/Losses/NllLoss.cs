using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Negative log-likelihood, like <c>torch.nn.NLLLoss</c>: input holds log-probabilities [N,C], [N,C,d₁,...] or
/// [C] (e.g. from <see cref="Tensor.LogSoftmax"/>), target class indices. ℓₙ = −w[yₙ]·input[n, yₙ]; optional
/// per-class <see cref="Weight"/> [C] and <see cref="IgnoreIndex"/> (default −100); the mean divides by Σ w[yₙ].
/// </summary>
public sealed class NllLoss : Loss
{
    public NllLoss(Tensor? weight = null, int ignoreIndex = Functional.DefaultIgnoreIndex, Reduction reduction = Reduction.Mean)
        : base(reduction)
    {
        Functional.CheckWeightRank(weight, "NllLoss");
        if (weight is not null) Weight = RegisterBuffer("weight", weight);
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>Per-class weights [C], or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Target label that contributes nothing to the loss or its mean.</summary>
    public int IgnoreIndex { get; }

    public override Tensor Forward(Tensor input, Tensor target) => Functional.NllLoss(input, target, Weight, IgnoreIndex, Reduction);
}
