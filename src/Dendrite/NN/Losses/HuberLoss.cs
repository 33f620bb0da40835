using System.Globalization;
using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Huber loss, like <c>torch.nn.HuberLoss</c>: with d = x − y, ℓ = ½d² where |d| &lt; δ, else δ(|d| − ½δ).
/// δ (<see cref="Delta"/>) defaults to 1 and must be positive. See <see cref="Functional.HuberLoss"/>.
/// </summary>
public sealed class HuberLoss : Loss
{
    public HuberLoss(float delta = 1f, Reduction reduction = Reduction.Mean) : base(reduction)
    {
        if (!(delta > 0) || float.IsInfinity(delta))
            throw new ArgumentException($"HuberLoss: delta must be positive, got {delta}");
        Delta = delta;
    }

    /// <summary>Where the loss turns from quadratic to linear.</summary>
    public float Delta { get; }

    public override Tensor Forward(Tensor input, Tensor target) => Functional.HuberLoss(input, target, Delta, Reduction);

    protected override string ExtraRepr() => string.Join(", ", new[] { $"delta={Delta.ToString(CultureInfo.InvariantCulture)}", base.ExtraRepr() }.Where(s => s.Length > 0));
}
