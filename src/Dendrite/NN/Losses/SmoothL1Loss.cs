using System.Globalization;
using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Smooth L1 loss, like <c>torch.nn.SmoothL1Loss</c>: with d = x − y, ℓ = ½d²/β where |d| &lt; β, else
/// |d| − ½β. β (<see cref="Beta"/>) defaults to 1, must be non-negative; β = 0 is the L1 loss.
/// </summary>
public sealed class SmoothL1Loss : Loss
{
    public SmoothL1Loss(float beta = 1f, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (!(beta >= 0) || float.IsInfinity(beta))
            throw new ArgumentException($"SmoothL1Loss: beta must be non-negative, got {beta}");
        Beta = beta;
    }

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Beta { get; }

    public override Tensor Forward(Tensor input, Tensor target) => Functional.SmoothL1Loss(input, target, Beta, Reduction);

    protected override string ExtraRepr() => string.Join(", ", new[] { $"beta={Beta.ToString(CultureInfo.InvariantCulture)}", base.ExtraRepr() }.Where(s => s.Length > 0));
}
