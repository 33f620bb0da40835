using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// AdamW (Adam with decoupled weight decay), exactly as <c>torch.optim.AdamW</c> (1.13): first
/// p ← p·(1 − lr·λ), then the <see cref="Adam"/> update without λ in the gradient.
/// Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, λ 1e-2, AMSGrad off. Groups as in <see cref="Adam"/>.
/// </summary>
public sealed class AdamW : Adam
{
    /// <summary>AdamW over <paramref name="parameters"/>, one group with these settings.</summary>
    public AdamW(IEnumerable<Parameter> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false) : base(parameters, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>AdamW over parameter groups; the settings here are those of every group that does not set its own.</summary>
    public AdamW(IEnumerable<ParamGroup> paramGroups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 1e-2f, bool amsgrad = false) : base(paramGroups, lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    private protected override bool Decoupled => true;
}
