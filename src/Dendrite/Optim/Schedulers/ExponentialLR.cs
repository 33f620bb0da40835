namespace Dendrite.Optim.Schedulers;

/// <summary>
/// Multiplies the learning rate by γ every epoch, like <c>torch.optim.lr_scheduler.ExponentialLR</c>:
/// lr(t) = lr₀·γᵗ (applied to the optimizer's current rate, so it chains with manual changes).
/// </summary>
public sealed class ExponentialLR : LRScheduler
{
    public ExponentialLR(Optimizer optimizer, float gamma) : base(optimizer)
    {
        RequirePositive(gamma, "ExponentialLR", "gamma");
        Gamma = gamma;
    }

    /// <summary>Factor applied every epoch.</summary>
    public float Gamma { get; }

    protected override double NextLR(int epoch, double baseLR, double currentLR) => currentLR * Gamma;
}
