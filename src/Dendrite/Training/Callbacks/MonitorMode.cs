namespace Dendrite.Training.Callbacks;

/// <summary>Whether a monitored value improves by going down or up.</summary>
public enum MonitorMode
{
    /// <summary>Up for names containing "acc", "f1", "precision" or "recall"; down otherwise (losses).</summary>
    Auto,
    /// <summary>Lower is better.</summary>
    Min,
    /// <summary>Higher is better.</summary>
    Max,
}

/// <summary>The bookkeeping shared by callbacks that watch one logged value for improvement.</summary>
internal sealed class Monitor
{
    private readonly string owner;

    public Monitor(string owner, string key, MonitorMode mode, double minDelta)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        if (!(minDelta >= 0) || double.IsInfinity(minDelta))
            throw new ArgumentOutOfRangeException(nameof(minDelta), $"{owner}: minDelta must be finite and ≥ 0, got {minDelta}");
        this.owner = owner;
        Key = key;
        MinDelta = minDelta;
        Maximize = mode switch
        {
            MonitorMode.Max => true,
            MonitorMode.Min => false,
            _ => new[] { "acc", "f1", "precision", "recall" }.Any(s => key.Contains(s, StringComparison.OrdinalIgnoreCase)),
        };
        Reset();
    }

    public string Key { get; }
    public double MinDelta { get; }
    public bool Maximize { get; }
    public double Best { get; private set; }

    public void Reset() => Best = Maximize ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>The best value for a callback's state (absent until a first value is recorded).</summary>
    public void Save(Dictionary<string, double> state)
    {
        if (double.IsFinite(Best)) state["best"] = Best;
    }

    /// <summary>Takes back what <see cref="Save"/> wrote.</summary>
    public void Load(IReadOnlyDictionary<string, double> state)
    {
        Reset();
        if (state.TryGetValue("best", out var best)) Best = best;
    }

    /// <summary>Reads the monitored value from an epoch's logs; a missing key is a configuration error.</summary>
    public double Read(IReadOnlyDictionary<string, double> logs) => logs.TryGetValue(Key, out var value) ? value
        : throw new InvalidOperationException(
            $"{owner}: the epoch logs have no '{Key}' to monitor; logged: {string.Join(", ", logs.Keys)} (val_* needs a validation loader)");

    /// <summary>True, and the best value updated, when <paramref name="value"/> beats the best by more than MinDelta.</summary>
    public bool Improves(double value)
    {
        if (double.IsNaN(value)) return false;
        bool better = Maximize ? value > Best + MinDelta : value < Best - MinDelta;
        // Until a first value is recorded, any value counts, whatever MinDelta.
        if (better || double.IsInfinity(Best))
        {
            Best = value;
            return true;
        }
        return false;
    }
}
