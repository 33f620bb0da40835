using Dendrite.Data;
using Dendrite.NN;

namespace Dendrite.Training.Callbacks;

/// <summary>
/// What a <see cref="Callback"/> sees: where training is, the latest logs, the epoch's running loss, a stop
/// switch, and the <see cref="ResumePoint"/> to continue from.
/// </summary>
public sealed class TrainingContext
{
    private static readonly IReadOnlyDictionary<string, double[]> NoMetrics = new Dictionary<string, double[]>();

    private readonly DataLoader train;
    private readonly IReadOnlyList<Callback> callbacks;
    private int completedEpochs;
    private bool inEpoch;
    private int batchesDone;
    private double lossSum;
    private ulong[]? epochShuffle;

    internal TrainingContext(Trainer trainer, int epochs, DataLoader train, History history, IReadOnlyList<Callback> callbacks, int completedEpochs)
    {
        Trainer = trainer;
        Epochs = epochs;
        Batches = train.Count;
        History = history;
        this.train = train;
        this.callbacks = callbacks;
        this.completedEpochs = completedEpochs;
    }

    /// <summary>The trainer running the loop.</summary>
    public Trainer Trainer { get; }

    /// <summary>The model being trained.</summary>
    public Module Model => Trainer.Model;

    /// <summary>The current epoch, counted from 0.</summary>
    public int Epoch { get; private set; }

    /// <summary>The number of epochs asked for (in all, those before a resume included).</summary>
    public int Epochs { get; }

    /// <summary>The current batch within the epoch, counted from 0 (−1 outside batches).</summary>
    public int Batch { get; internal set; } = -1;

    /// <summary>The number of batches per epoch.</summary>
    public int Batches { get; }

    /// <summary>
    /// In batch hooks, the batch's <c>loss</c> and <c>size</c>; in OnEpochEnd and OnTrainEnd, the last
    /// epoch's logs (<c>loss</c>, metrics, <c>val_*</c>); empty before the first epoch ends.
    /// </summary>
    public IReadOnlyDictionary<string, double> Logs { get; internal set; } = new Dictionary<string, double>();

    /// <summary>The epochs finished so far (on a resumed run, those before the resume too).</summary>
    public History History { get; }

    /// <summary>Set to true to end training after the current batch (the epoch is still logged).</summary>
    public bool StopTraining { get; set; }

    /// <summary>
    /// True once <see cref="Trainer.Fit"/> has stopped for its cancellation token: after the step that was
    /// running (or at an epoch boundary), without logging the unfinished epoch; <see cref="ResumePoint"/>
    /// then continues it.
    /// </summary>
    public bool Cancelled { get; internal set; }

    /// <summary>Samples trained on so far in the current epoch (those before a resume included).</summary>
    public long Samples { get; private set; }

    /// <summary>The sample-weighted mean loss of the current epoch so far (NaN before its first batch).</summary>
    public double EpochLoss => Samples == 0 ? double.NaN : lossSum / Samples;

    /// <summary>
    /// The point to continue from, as of now: inside an epoch (batch hooks, OnEpochBegin, OnTrainEnd after a
    /// cancellation) the batches done and the running loss and metric states; after an epoch is logged
    /// (OnEpochEnd, OnTrainEnd) the next epoch's start. Throws <see cref="NotSupportedException"/> inside
    /// an epoch when a metric cannot save its running state.
    /// </summary>
    public ResumePoint ResumePoint()
    {
        var states = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        foreach (var c in callbacks)
            if (c.GetState() is { } state && !states.TryAdd(c.StateKey, new Dictionary<string, double>(state)))
                throw new InvalidOperationException(
                    $"Trainer: two callbacks keep their state under '{c.StateKey}'; override StateKey so each has its own");
        bool midEpoch = inEpoch && batchesDone > 0;
        return new ResumePoint
        {
            Epoch = inEpoch ? Epoch : completedEpochs,
            Batch = inEpoch ? batchesDone : 0,
            LossSum = midEpoch ? lossSum : 0,
            Samples = midEpoch ? Samples : 0,
            Metrics = midEpoch ? Trainer.Metrics.ToDictionary(m => m.Name, m => m.GetState()) : NoMetrics,
            Shuffle = inEpoch ? epochShuffle : train.Shuffle ? train.Generator.GetState() : null,
            History = [.. History.Epochs.Select(logs => new Dictionary<string, double>(logs))],
            Callbacks = states,
        };
    }

    /// <summary>
    /// Enters <paramref name="epoch"/>: from its start, or from <paramref name="resume"/>'s position in it
    /// (its sums, metric states and the generator state its order was drawn from).
    /// </summary>
    internal void BeginEpoch(int epoch, ResumePoint? resume)
    {
        Epoch = epoch;
        Batch = -1;
        inEpoch = true;
        foreach (var m in Trainer.Metrics) m.Reset();
        if (resume is { Batch: > 0 })
            foreach (var m in Trainer.Metrics) m.SetState(resume.Metrics[m.Name]);
        (batchesDone, lossSum, Samples) = resume is null ? (0, 0, 0) : (resume.Batch, resume.LossSum, resume.Samples);
        if (resume?.Shuffle is { } shuffle && train.Shuffle) train.Generator.SetState(shuffle);
        // The order of an epoch is drawn when its enumeration starts; keep the state from before, so an
        // interrupted epoch can be replayed in the same order.
        epochShuffle = train.Shuffle ? train.Generator.GetState() : null;
    }

    /// <summary>Counts a trained batch of <paramref name="size"/> samples with mean loss <paramref name="loss"/>.</summary>
    internal void AddBatch(float loss, int size)
    {
        lossSum += (double)loss * size;
        Samples += size;
        batchesDone = Batch + 1;
        Logs = new Dictionary<string, double> { ["loss"] = loss, ["size"] = size };
    }

    /// <summary>
    /// Counts a batch left out because its loss <paramref name="loss"/> was not finite (the
    /// <see cref="NonFiniteLossPolicy.Skip"/> policy): it is done for resuming, but adds to no sum.
    /// </summary>
    internal void SkipBatch(float loss, int size)
    {
        SkippedBatches++;
        batchesDone = Batch + 1;
        Logs = new Dictionary<string, double> { ["loss"] = loss, ["size"] = size, ["skipped"] = 1 };
    }

    /// <summary>Batches skipped in this <c>Fit</c> for a non-finite loss (<see cref="NonFiniteLossPolicy.Skip"/>).</summary>
    public int SkippedBatches { get; private set; }

    /// <summary>Logs the finished epoch: its logs join the history and the next epoch becomes the resume point.</summary>
    internal void EndEpoch(IReadOnlyDictionary<string, double> logs)
    {
        Batch = -1;
        Logs = logs;
        History.Add(logs);
        inEpoch = false;
        completedEpochs = Epoch + 1;
    }
}
