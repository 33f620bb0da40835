using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>Mean absolute error, ℓᵢ = |xᵢ − yᵢ|, like <c>torch.nn.L1Loss</c>. Input and target have the same shape.</summary>
public sealed class L1Loss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target) => Functional.L1Loss(input, target, Reduction);
}
