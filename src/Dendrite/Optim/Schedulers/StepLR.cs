namespace Dendrite.Optim.Schedulers;

/// <summary>
/// Multiplies the learning rate by γ every <c>stepSize</c> epochs, like <c>torch.optim.lr_scheduler.StepLR</c>:
/// lr(t) = lr₀·γ^⌊t/stepSize⌋. Defaults: γ = 0.1. Like PyTorch it scales the optimizer's current rate (so it
/// chains with manual changes).
/// </summary>
public sealed class StepLR : LRScheduler
{
    public StepLR(Optimizer optimizer, int stepSize, float gamma = 0.1f) : base(optimizer)
    {
        if (stepSize <= 0) throw new ArgumentException($"StepLR: step size must be a positive number of epochs, got {stepSize}");
        RequirePositive(gamma, "StepLR", "gamma");
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Epochs between decays.</summary>
    public int StepSize { get; }

    /// <summary>Factor applied at each decay.</summary>
    public float Gamma { get; }

    protected override double NextLR(int epoch, double baseLR, double currentLR) => epoch % StepSize == 0 ? currentLR * Gamma : currentLR;
}
