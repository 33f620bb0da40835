using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>Mean squared error, ℓᵢ = (xᵢ − yᵢ)², like <c>torch.nn.MSELoss</c>. Input and target have the same shape. See <see cref="Functional.MseLoss"/>.</summary>
public sealed class MseLoss(Reduction reduction = Reduction.Mean) : Loss(reduction)
{
    public override Tensor Forward(Tensor input, Tensor target) => Functional.MseLoss(input, target, Reduction);
}
