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
