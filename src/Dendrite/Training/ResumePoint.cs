namespace Dendrite.Training;

/// <summary>
/// Where <see cref="Trainer.Fit"/> stands, and everything it has accumulated, so that a later <c>Fit</c>
/// given it continues as if it had never stopped: the same batches in the same order, the same epoch logs
/// and, with the model's and optimizer's state dicts restored beside it, bit-identical weights. Taken
/// with <see cref="Callbacks.TrainingContext.ResumePoint"/>, typically at the end of an epoch or when a
/// cancelled <c>Fit</c> ends; <see cref="Serialization.Checkpoint"/> stores it in a file.
/// </summary>
/// <remarks>
/// The model's weights, the optimizer's state and any generator the model draws from (dropout) are not
/// part of it: they belong to objects the caller builds and already has state dicts for.
/// </remarks>
public sealed record ResumePoint
{
    /// <summary>Epochs completed; training continues in epoch <see cref="Epoch"/> (from 0).</summary>
    public int Epoch { get; init; }

    /// <summary>Batches of epoch <see cref="Epoch"/> already trained on (0 at an epoch boundary).</summary>
    public int Batch { get; init; }

    /// <summary>Σ batch loss × batch size over those batches: the epoch's loss so far, before dividing.</summary>
    public double LossSum { get; init; }

    /// <summary>Samples in those batches.</summary>
    public long Samples { get; init; }

    /// <summary>Each metric's running state over those batches (<see cref="Metrics.Metric.GetState"/>), by metric name; empty at a boundary.</summary>
    public IReadOnlyDictionary<string, double[]> Metrics { get; init; } = new Dictionary<string, double[]>();

    /// <summary>
    /// The state of the training loader's generator when epoch <see cref="Epoch"/> began, before its order
    /// was drawn (<see cref="Tensors.Generator.GetState"/>), so the epoch is replayed in the same order;
    /// null when the loader does not shuffle.
    /// </summary>
    public ulong[]? Shuffle { get; init; }

    /// <summary>The logs of the completed epochs, in order (what <see cref="History.Epochs"/> held).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> History { get; init; } = [];

    /// <summary>
    /// The state callbacks contributed (<see cref="Callbacks.Callback.GetState"/>), under
    /// <see cref="Callbacks.Callback.StateKey"/>: a scheduler's step count, an early stop's best value.
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, double>> Callbacks { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, double>>();
}
