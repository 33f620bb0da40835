using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Binary cross-entropy on probabilities, like <c>torch.nn.BCELoss</c>:
/// ℓᵢ = −wᵢ·(yᵢ·max(ln xᵢ, −100) + (1−yᵢ)·max(ln(1−xᵢ), −100)), inputs and targets in [0,1], same shape.
/// The optional <see cref="Weight"/> broadcasts to the input (a buffer named "weight").
/// Prefer <see cref="BceWithLogitsLoss"/> on raw scores. See <see cref="Functional.BinaryCrossEntropy"/>.
/// </summary>
public sealed class BceLoss : Loss
{
    public BceLoss(Tensor? weight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (weight is not null) Weight = RegisterBuffer("weight", weight);
    }

    /// <summary>Per-element rescaling weight, or null.</summary>
    public Tensor? Weight { get; }

    public override Tensor Forward(Tensor input, Tensor target) => Functional.BinaryCrossEntropy(input, target, Weight, Reduction);
}
