namespace Dendrite.Optim.Schedulers;

/// <summary>
/// Cosine annealing, in PyTorch's closed form (<c>torch.optim.lr_scheduler.CosineAnnealingLR</c>):
/// lr(t) = η_min + (lr₀ − η_min)·(1 + cos(πt/T_max))/2, from lr₀ at t = 0 down to η_min at t = T_max (and,
/// as in PyTorch, back up along the cosine if stepped past T_max). Defaults: η_min = 0.
/// </summary>
public sealed class CosineAnnealingLR : LRScheduler
{
    public CosineAnnealingLR(Optimizer optimizer, int tMax, float etaMin = 0f) : base(optimizer)
    {
        if (tMax <= 0) throw new ArgumentException($"CosineAnnealingLR: T_max must be a positive number of epochs, got {tMax}");
        if (!(etaMin >= 0) || float.IsInfinity(etaMin))
            throw new ArgumentException($"CosineAnnealingLR: eta_min must be non-negative, got {Format(etaMin)}");
        TMax = tMax;
        EtaMin = etaMin;
    }

    /// <summary>Epochs of one half cosine period.</summary>
    public int TMax { get; }

    /// <summary>The lowest learning rate.</summary>
    public float EtaMin { get; }

    protected override double NextLR(int epoch, double baseLR, double currentLR) =>
        EtaMin + (baseLR - EtaMin) * (1 + Math.Cos(Math.PI * epoch / TMax)) / 2;
}
