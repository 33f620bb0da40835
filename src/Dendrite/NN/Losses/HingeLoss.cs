using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Binary hinge loss (the linear SVM's loss) on scores x against labels y ∈ {−1, +1}, same shape:
/// ℓᵢ = max(0, 1 − yᵢxᵢ). Labels are checked. For several classes use <see cref="MultiMarginLoss"/>.
/// (PyTorch has no module of this exact form; its HingeEmbeddingLoss is a different loss.)
/// </summary>
public sealed class HingeLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target) => Functional.HingeLoss(input, target, Reduction);
}
