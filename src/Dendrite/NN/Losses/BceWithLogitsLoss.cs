using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Sigmoid + binary cross-entropy in one stable step, like <c>torch.nn.BCEWithLogitsLoss</c>: on logits x and
/// targets y ∈ [0,1] (same shape), ℓᵢ = wᵢ·(max(xᵢ,0) − xᵢyᵢ + ln(1 + e^−|xᵢ|)); with <see cref="PosWeight"/> p
/// (one per class on the last axis), ℓᵢ = wᵢ·((1−yᵢ)xᵢ + (1 + (p−1)yᵢ)·ln(1 + e^−xᵢ)). The loss for
/// multi-label classification: [N,K] scores, K independent yes/no labels. Weight and posWeight are buffers.
/// </summary>
public sealed class BceWithLogitsLoss : Loss
{
    public BceWithLogitsLoss(Tensor? weight = null, Tensor? posWeight = null, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (weight is not null) Weight = RegisterBuffer("weight", weight);
        if (posWeight is not null) PosWeight = RegisterBuffer("pos_weight", posWeight);
    }

    /// <summary>Per-element rescaling weight, or null.</summary>
    public Tensor? Weight { get; }

    /// <summary>Weight of positive examples per class (broadcast over the last axis), or null.</summary>
    public Tensor? PosWeight { get; }

    public override Tensor Forward(Tensor input, Tensor target) =>
        Functional.BinaryCrossEntropyWithLogits(input, target, Weight, PosWeight, Reduction);
}
