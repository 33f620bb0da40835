using System.Globalization;

namespace Dendrite.Optim.Schedulers;

/// <summary>Whether a lower (<see cref="Min"/>, e.g. a loss) or higher (<see cref="Max"/>, e.g. accuracy) metric is better.</summary>
public enum PlateauMode
{
    Min,
    Max,
}

/// <summary>How <see cref="ReduceLROnPlateau"/> compares a metric with the best so far.</summary>
public enum ThresholdMode
{
    /// <summary>Better means beyond best·(1 ∓ threshold).</summary>
    Rel,
    /// <summary>Better means beyond best ∓ threshold.</summary>
    Abs,
}

/// <summary>
/// Cuts the learning rate when a metric stops improving, like <c>torch.optim.lr_scheduler.ReduceLROnPlateau</c>:
/// after more than <c>patience</c> epochs without improvement, lr ← max(lr·factor, minLr) (skipped if the
/// change is below <c>eps</c>), then waits <c>cooldown</c> epochs before counting again. "Improvement" in
/// the default relative mode means metric &lt; best·(1 − threshold) (Min) or &gt; best·(1 + threshold) (Max).
/// Defaults: Min, factor 0.1, patience 10, threshold 1e-4 (Rel), cooldown 0, minLr 0, eps 1e-8. Every parameter
/// group's rate is cut by the same factor, each down to <c>minLr</c>.
/// </summary>
public sealed class ReduceLROnPlateau
{
    private readonly float[] lastLRs;
    private int cooldownCounter;

    public ReduceLROnPlateau(Optimizer optimizer, PlateauMode mode = PlateauMode.Min, float factor = 0.1f, int patience = 10,
        float threshold = 1e-4f, ThresholdMode thresholdMode = ThresholdMode.Rel, int cooldown = 0, float minLr = 0f, float eps = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        const string op = "ReduceLROnPlateau";
        if (!(factor > 0 && factor < 1)) throw new ArgumentException($"{op}: factor must be in (0, 1), got {Format(factor)}");
        if (patience < 0) throw new ArgumentException($"{op}: patience must be non-negative, got {patience}");
        if (!(threshold >= 0) || float.IsInfinity(threshold)) throw new ArgumentException($"{op}: threshold must be non-negative, got {Format(threshold)}");
        if (cooldown < 0) throw new ArgumentException($"{op}: cooldown must be non-negative, got {cooldown}");
        if (!(minLr >= 0) || float.IsInfinity(minLr)) throw new ArgumentException($"{op}: minimum learning rate must be non-negative, got {Format(minLr)}");
        if (!(eps >= 0) || float.IsInfinity(eps)) throw new ArgumentException($"{op}: eps must be non-negative, got {Format(eps)}");
        if (!Enum.IsDefined(mode)) throw new ArgumentException($"{op}: unknown mode {mode}");
        if (!Enum.IsDefined(thresholdMode)) throw new ArgumentException($"{op}: unknown threshold mode {thresholdMode}");
        Optimizer = optimizer;
        Mode = mode;
        Factor = factor;
        Patience = patience;
        Threshold = threshold;
        ThresholdMode = thresholdMode;
        Cooldown = cooldown;
        MinLr = minLr;
        Eps = eps;
        Best = mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        lastLRs = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
    }

    public Optimizer Optimizer { get; }
    public PlateauMode Mode { get; }
    public float Factor { get; }
    public int Patience { get; }
    public float Threshold { get; }
    public ThresholdMode ThresholdMode { get; }
    public int Cooldown { get; }
    public float MinLr { get; }
    public float Eps { get; }

    /// <summary>The best metric seen so far.</summary>
    public double Best { get; private set; }

    /// <summary>Consecutive epochs without improvement.</summary>
    public int NumBadEpochs { get; private set; }

    /// <summary>How many times <see cref="Step"/> has been called.</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Each parameter group's learning rate after the latest <see cref="Step"/>.</summary>
    public IReadOnlyList<float> LastLRs => lastLRs;

    /// <summary>The first group's learning rate after the latest <see cref="Step"/> (the only one without groups).</summary>
    public float LastLR => lastLRs[0];

    /// <summary>Records this epoch's <paramref name="metric"/> and reduces the learning rate if it has plateaued.</summary>
    public void Step(double metric)
    {
        if (double.IsNaN(metric)) throw new ArgumentException("ReduceLROnPlateau: the metric is NaN");
        LastEpoch++;
        if (IsBetter(metric))
        {
            Best = metric;
            NumBadEpochs = 0;
        }
        else
        {
            NumBadEpochs++;
        }
        if (cooldownCounter > 0)
        {
            cooldownCounter--;
            NumBadEpochs = 0; // bad epochs during the cooldown do not count
        }
        if (NumBadEpochs > Patience)
        {
            foreach (var group in Optimizer.ParamGroups)
            {
                double old = group.LearningRate;
                double reduced = Math.Max(old * Factor, MinLr);
                if (old - reduced > Eps) group.LearningRate = (float)reduced;
            }
            cooldownCounter = Cooldown;
            NumBadEpochs = 0;
        }
        for (int g = 0; g < lastLRs.Length; g++) lastLRs[g] = Optimizer.ParamGroups[g].LearningRate;
    }

    /// <summary>What a resumed run needs: step count, best value (while finite), bad epochs, cooldown and each group's rate.</summary>
    public IReadOnlyDictionary<string, double> StateDict()
    {
        var state = new Dictionary<string, double>
        {
            ["last_epoch"] = LastEpoch, ["num_bad_epochs"] = NumBadEpochs, ["cooldown_counter"] = cooldownCounter,
        };
        if (double.IsFinite(Best)) state["best"] = Best;
        for (int g = 0; g < lastLRs.Length; g++) state[$"lr.{g}"] = lastLRs[g];
        return state;
    }

    /// <summary>Takes back <see cref="StateDict"/>'s values and sets the optimizer's rates to them.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        double Get(string key) => state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"ReduceLROnPlateau.LoadStateDict: the state lacks '{key}'");
        LastEpoch = (int)Get("last_epoch");
        NumBadEpochs = (int)Get("num_bad_epochs");
        cooldownCounter = (int)Get("cooldown_counter");
        Best = state.TryGetValue("best", out var best) ? best : Mode == PlateauMode.Min ? double.PositiveInfinity : double.NegativeInfinity;
        for (int g = 0; g < lastLRs.Length; g++)
        {
            lastLRs[g] = (float)Get($"lr.{g}");
            Optimizer.ParamGroups[g].LearningRate = lastLRs[g];
        }
    }

    private bool IsBetter(double metric) => (Mode, ThresholdMode) switch
    {
        (PlateauMode.Min, ThresholdMode.Rel) => metric < Best * (1 - (double)Threshold),
        (PlateauMode.Min, ThresholdMode.Abs) => metric < Best - Threshold,
        (PlateauMode.Max, ThresholdMode.Rel) => metric > Best * (1 + (double)Threshold),
        _ => metric > Best + Threshold,
    };

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
