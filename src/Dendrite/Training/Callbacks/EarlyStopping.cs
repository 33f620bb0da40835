namespace Dendrite.Training.Callbacks;

/// <summary>
/// Stops training when the monitored value (default <c>val_loss</c>) has not improved by more than
/// <see cref="MinDelta"/> for <see cref="Patience"/> epochs in a row, like Keras' <c>EarlyStopping</c>.
/// Defaults: patience 5, minDelta 0, mode <see cref="MonitorMode.Auto"/>. Pair it with
/// <see cref="KeepBest"/> to end with the best weights rather than the last.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly Monitor monitor;
    private int wait;
    private TrainingContext? current;

    /// <summary>Watches <paramref name="monitor"/>; <paramref name="patience"/> ≥ 0 (0 and 1 both stop at the first epoch without improvement, as in Keras).</summary>
    public EarlyStopping(string monitor = "val_loss", int patience = 5, double minDelta = 0, MonitorMode mode = MonitorMode.Auto)
    {
        if (patience < 0) throw new ArgumentOutOfRangeException(nameof(patience), $"EarlyStopping: patience must be ≥ 0, got {patience}");
        this.monitor = new Monitor("EarlyStopping", monitor, mode, minDelta);
        Patience = patience;
    }

    /// <summary>The logged key watched.</summary>
    public string MonitorKey => monitor.Key;

    /// <summary>Epochs without improvement tolerated before stopping.</summary>
    public int Patience { get; }

    /// <summary>The smallest change that counts as an improvement.</summary>
    public double MinDelta => monitor.MinDelta;

    /// <summary>The best value seen.</summary>
    public double Best => monitor.Best;

    /// <summary>The epoch (from 0) after which training was stopped, or null when it ran to the end.</summary>
    public int? StoppedEpoch { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        monitor.Reset();
        wait = 0;
        StoppedEpoch = null;
        current = context;
    }

    /// <summary>The best value, the epochs waited since and the epoch it stopped after, so a resumed <c>Fit</c> stops where an unbroken one would.</summary>
    public override IReadOnlyDictionary<string, double>? GetState()
    {
        var state = new Dictionary<string, double> { ["wait"] = wait };
        monitor.Save(state);
        if (StoppedEpoch is int stopped) state["stopped_epoch"] = stopped;
        return state;
    }

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state)
    {
        monitor.Load(state);
        wait = state.TryGetValue("wait", out var w) ? (int)w : 0;
        // A run that had stopped stays stopped when resumed: no more epochs, as if it had never been interrupted.
        StoppedEpoch = state.TryGetValue("stopped_epoch", out var s) ? (int)s : null;
        if (StoppedEpoch is not null && current is not null) current.StopTraining = true;
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (monitor.Improves(monitor.Read(context.Logs)))
        {
            wait = 0;
            return;
        }
        if (++wait >= Patience)
        {
            StoppedEpoch = context.Epoch;
            context.StopTraining = true;
        }
    }
}
