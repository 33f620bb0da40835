using Dendrite.Tensors;

namespace Dendrite.Training.Callbacks;

/// <summary>
/// Keeps a copy of the model's <c>StateDict</c> from the epoch with the best monitored value (default
/// <c>val_loss</c>) and, with <see cref="RestoreAtEnd"/> (the default), loads it back when training ends —
/// Keras' <c>restore_best_weights</c> as a callback of its own.
/// </summary>
public sealed class KeepBest : Callback
{
    private readonly Monitor monitor;
    private IReadOnlyDictionary<string, Tensor>? resumeState;

    /// <summary>Watches <paramref name="monitor"/>; see <see cref="MonitorMode"/> for the direction.</summary>
    public KeepBest(string monitor = "val_loss", MonitorMode mode = MonitorMode.Auto, double minDelta = 0, bool restoreAtEnd = true)
    {
        this.monitor = new Monitor("KeepBest", monitor, mode, minDelta);
        RestoreAtEnd = restoreAtEnd;
    }

    /// <summary>The logged key watched.</summary>
    public string MonitorKey => monitor.Key;

    /// <summary>Whether the best state is loaded into the model in OnTrainEnd.</summary>
    public bool RestoreAtEnd { get; }

    /// <summary>The best value seen.</summary>
    public double Best => monitor.Best;

    /// <summary>The epoch (from 0) of the best value, or null before any epoch.</summary>
    public int? BestEpoch { get; private set; }

    /// <summary>Copies of the parameters and buffers at <see cref="BestEpoch"/>, or null.</summary>
    public IReadOnlyDictionary<string, Tensor>? BestState { get; private set; }

    /// <inheritdoc />
    public override void OnTrainBegin(TrainingContext context)
    {
        monitor.Reset();
        BestEpoch = null;
        BestState = null;
    }

    /// <summary>
    /// The best value and its epoch. The weights themselves are tensors, which callback state cannot hold: a
    /// caller that checkpoints saves <see cref="BestState"/> beside it and hands it to <see cref="ResumeWith"/>.
    /// </summary>
    public override IReadOnlyDictionary<string, double>? GetState()
    {
        var state = new Dictionary<string, double>();
        monitor.Save(state);
        if (BestEpoch is int epoch) state["best_epoch"] = epoch;
        return state;
    }

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state)
    {
        monitor.Load(state);
        BestEpoch = state.TryGetValue("best_epoch", out var e) ? (int)e : null;
        BestState = BestEpoch is null ? null : resumeState
            ?? throw new InvalidOperationException("KeepBest: resuming after a best epoch needs its weights; pass them to ResumeWith before Fit");
    }

    /// <summary>The best weights saved beside a checkpoint, taken back when <c>Fit</c> resumes (<see cref="SetState"/>).</summary>
    public void ResumeWith(IReadOnlyDictionary<string, Tensor> bestState)
    {
        ArgumentNullException.ThrowIfNull(bestState);
        resumeState = bestState.ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (!monitor.Improves(monitor.Read(context.Logs))) return;
        BestEpoch = context.Epoch;
        // StateDict holds views of the live tensors; the optimizer would overwrite them, so copy.
        BestState = context.Model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value.Clone());
    }

    /// <inheritdoc />
    public override void OnTrainEnd(TrainingContext context)
    {
        if (RestoreAtEnd && BestState is not null) context.Model.LoadStateDict(BestState);
    }
}
