using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Distributed;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Training;

/// <summary>
/// The training loop, in the spirit of Keras' <c>fit/evaluate/predict</c> over PyTorch modules. Each
/// training batch runs <c>optimizer.ZeroGrad()</c> → <c>output = model.Forward(inputs)</c> →
/// <c>l = loss.Forward(output, targets)</c> → <c>l.Backward()</c> → <c>optimizer.Step()</c>, with the model
/// in training mode. The epoch's <c>loss</c> is the batch losses weighted by batch size (the exact
/// per-sample mean for a mean-reduced loss); metrics are accumulated over the same outputs, measured
/// while the weights change during the epoch (as Keras does), and <c>val_*</c> come from
/// <see cref="Evaluate"/> after the epoch.
/// </summary>
public sealed class Trainer
{
    private readonly Metric[] metrics;

    /// <summary>A trainer for <paramref name="model"/>; metric names must be distinct and not "loss".</summary>
    public Trainer(Module model, Loss loss, Optimizer optimizer, params Metric[] metrics)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(metrics);
        var names = new HashSet<string> { "loss" };
        foreach (var metric in metrics)
        {
            ArgumentNullException.ThrowIfNull(metric, nameof(metrics));
            if (!names.Add(metric.Name))
                throw new ArgumentException($"Trainer: two results would be logged as '{metric.Name}'; metric names must be distinct and not 'loss'");
        }
        Model = model;
        Loss = loss;
        Optimizer = optimizer;
        this.metrics = metrics;
    }

    /// <summary>The model being trained.</summary>
    public Module Model { get; }

    /// <summary>The loss minimised.</summary>
    public Loss Loss { get; }

    /// <summary>The optimizer updating the model's parameters.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The metrics logged besides the loss.</summary>
    public IReadOnlyList<Metric> Metrics => metrics;

    /// <summary>What a batch whose loss is NaN or infinite does: stop training (the default) or skip its update.</summary>
    public NonFiniteLossPolicy OnNonFiniteLoss { get; set; } = NonFiniteLossPolicy.Stop;

    /// <summary>
    /// Trains together with the other members of a process group, each on its share of every batch
    /// (<see cref="Distributed.DataParallel"/>); null (the default) trains in this process alone.
    /// </summary>
    public DataParallel? DataParallel { get; init; }

    /// <summary>
    /// Trains until <paramref name="epochs"/> epochs are complete — fewer when a callback stops training or
    /// <paramref name="cancellationToken"/> is cancelled — evaluating on <paramref name="validation"/> after
    /// each when given, and returns the per-epoch logs. With <paramref name="resumeFrom"/> (a
    /// <see cref="ResumePoint"/> taken from an earlier <c>Fit</c> on the same data, with the model's and
    /// optimizer's state restored beside it), training continues at its epoch and batch, replaying the
    /// interrupted epoch's order, and ends exactly as an uninterrupted run would; <paramref name="epochs"/>
    /// counts the epochs before the resume too, and the history returned includes them. A resume point at
    /// the end of the last epoch trains nothing: the callbacks get their stored state, OnTrainBegin and
    /// OnTrainEnd, and the stored history is returned (what finishing a run whose final write was lost needs).
    /// </summary>
    /// <remarks>
    /// Cancelling stops after the current step (no step is cut short): the unfinished epoch is not logged,
    /// OnTrainEnd runs with <see cref="TrainingContext.Cancelled"/> set, and
    /// <see cref="TrainingContext.ResumePoint"/> there continues it. A cancellation during an epoch's last
    /// step lets that epoch finish and stops at the boundary after it, unless it was the last. When the loss
    /// becomes NaN or infinite, <see cref="OnNonFiniteLoss"/> decides: <c>Stop</c> throws
    /// <see cref="TrainingDivergedException"/> naming the epoch, the batch (both counted from 1) and the first
    /// layer whose output went non-finite, with the weights those after the previous batch; <c>Skip</c> leaves
    /// that batch's update out and counts it, and still throws when every batch of an epoch was skipped.
    /// </remarks>
    public History Fit(DataLoader train, int epochs, DataLoader? validation = null, IEnumerable<Callback>? callbacks = null,
                       ResumePoint? resumeFrom = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(train);
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"Trainer.Fit: epochs must be positive, got {epochs}");
        if (train.Count == 0)
            throw new ArgumentException($"Trainer.Fit: the training loader yields no batches ({train.Dataset.Count} samples, batch size {train.BatchSize}, dropLast {train.DropLast})");
        if (resumeFrom is not null) CheckResumePoint(resumeFrom, train, epochs);
        var hooks = callbacks?.ToList() ?? [];
        var history = new History();
        foreach (var logs in resumeFrom?.History ?? []) history.Add(logs);
        var context = new TrainingContext(this, epochs, train, history, hooks, resumeFrom?.Epoch ?? 0);

        DataParallel?.Begin(Model);
        foreach (var c in hooks) c.OnTrainBegin(context);
        if (resumeFrom is not null)
            foreach (var c in hooks)
                if (resumeFrom.Callbacks.TryGetValue(c.StateKey, out var state)) c.SetState(state);
        var resume = resumeFrom;
        for (int epoch = resumeFrom?.Epoch ?? 0; epoch < epochs && !context.StopTraining; epoch++)
        {
            // Members of a group stop at the same boundary, whichever of them was asked to.
            bool cancel = cancellationToken.IsCancellationRequested;
            if (DataParallel?.Any(cancel) ?? cancel)
            {
                context.Cancelled = true;
                break;
            }
            context.BeginEpoch(epoch, resume);
            if (resume is { Batch: > 0 }) DataParallel?.ResumeMetrics(metrics);
            foreach (var c in hooks) c.OnEpochBegin(context);
            bool finished = TrainEpoch(train, context, hooks, resume?.Batch ?? 0, cancellationToken);
            DataParallel?.EndEpoch(Model, metrics);
            if (!finished)
            {
                context.Cancelled = true;
                break;
            }
            resume = null;
            var logs = new Dictionary<string, double> { ["loss"] = context.EpochLoss };
            foreach (var m in metrics) logs[m.Name] = m.Compute();
            if (validation is not null)
                foreach (var (key, value) in Evaluate(validation)) logs["val_" + key] = value;
            context.EndEpoch(logs);
            foreach (var c in hooks) c.OnEpochEnd(context);
        }
        foreach (var c in hooks) c.OnTrainEnd(context);
        return history;
    }

    /// <summary>One epoch from batch <paramref name="skip"/>; false when cancelled before its last batch.</summary>
    private bool TrainEpoch(DataLoader train, TrainingContext context, List<Callback> hooks, int skip, CancellationToken cancellationToken)
    {
        Model.Train();
        using var batches = train.GetEnumerator();
        // A resumed epoch's first batches were trained on before the interruption; they are drawn again (in
        // the same order, from the restored generator) and dropped.
        for (int i = 0; i < skip; i++)
            using (new TensorScope(reuseObjects: true))
                batches.MoveNext();
        for (int index = skip; ; index++)
        {
            float value;
            int size;
            bool cancel = false;
            bool skipped;
            // Every tensor of the step, the batch included, recycles its buffer (and its Tensor object) when
            // the step ends; nothing of the step is referenced afterwards.
            using (new TensorScope(reuseObjects: true))
            {
                if (!batches.MoveNext()) break;
                var batch = batches.Current;
                size = batch.Size;
                var mine = DataParallel?.Shard(batch) ?? batch;
                context.Batch = index;
                foreach (var c in hooks) c.OnBatchBegin(context);
                Optimizer.ZeroGrad();
                Tensor? output = null;
                value = 0f;
                // A member of a group can get no rows of a last batch smaller than the group.
                if (mine.Size > 0)
                {
                    output = Model.Forward(mine.Inputs);
                    var loss = Loss.Forward(output, mine.Targets);
                    if (loss.Numel != 1)
                        throw new InvalidOperationException(
                            $"Trainer: the loss must be a scalar to train on, got shape {loss.Shape} (is the loss's reduction None?)");
                    value = loss.Item();
                    loss.Backward();
                }
                // The global batch's loss and gradients; a NaN on any member reaches them all, so all stop.
                if (DataParallel is not null)
                {
                    cancel = cancellationToken.IsCancellationRequested;
                    value = DataParallel.AverageGradients(value, mine.Size, size, Loss.Reduction == Reduction.Sum, ref cancel);
                }
                skipped = !float.IsFinite(value);
                if (skipped && OnNonFiniteLoss == NonFiniteLossPolicy.Stop)
                    throw Divergence.Diverged(Model, mine.Inputs, mine.Targets, value, context.Epoch, index, train.Count);
                // Skipping cannot recover weights that are already NaN: every later batch would be skipped too.
                if (skipped && index + 1 == train.Count && context.Samples == 0)
                    throw Divergence.Diverged(Model, mine.Inputs, mine.Targets, value, context.Epoch, index, train.Count,
                                              " (every batch of the epoch had a non-finite loss and was skipped)");
                // A skipped batch's gradients are dropped by the next step's ZeroGrad.
                if (!skipped)
                {
                    Optimizer.Step();
                    if (output is not null) UpdateMetrics(output, mine.Targets);
                }
            }
            if (skipped) context.SkipBatch(value, size);
            else context.AddBatch(value, size);
            foreach (var c in hooks) c.OnBatchEnd(context);
            if (context.StopTraining) break;
            if (DataParallel is null) cancel = cancellationToken.IsCancellationRequested;
            if (cancel && index + 1 < train.Count) return false;
        }
        return true;
    }

    /// <summary>Rejects a resume point that does not fit this run, before anything is trained.</summary>
    private void CheckResumePoint(ResumePoint resumeFrom, DataLoader train, int epochs)
    {
        string Fail(string why) => $"Trainer.Fit: cannot resume at epoch {resumeFrom.Epoch + 1}, batch {resumeFrom.Batch + 1}: {why}";
        if (resumeFrom.Epoch < 0 || resumeFrom.Batch < 0 || resumeFrom.Samples < 0)
            throw new ArgumentException(Fail($"the position and sample count must not be negative (samples {resumeFrom.Samples})"));
        // A point at the very end (all epochs done, none begun) is a finished run: nothing is trained, and the
        // hooks get their state and OnTrainEnd, so a run whose last write was lost can be completed.
        if (resumeFrom.Epoch > epochs || (resumeFrom.Epoch == epochs && resumeFrom.Batch > 0))
            throw new ArgumentException(Fail($"{resumeFrom.Epoch} epochs are already done and {epochs} were asked for in all"));
        if (resumeFrom.Batch > train.Count)
            throw new ArgumentException(Fail($"the loader yields {train.Count} batches per epoch (other data or batch size?)"));
        if (resumeFrom.Batch == 0) return;
        if (train.Shuffle && resumeFrom.Shuffle is null)
            throw new ArgumentException(Fail("the loader shuffles, and the resume point lacks the generator state the epoch's order was drawn from"));
        foreach (var m in metrics)
            if (!resumeFrom.Metrics.ContainsKey(m.Name))
                throw new ArgumentException(Fail($"it holds no running state for the metric '{m.Name}' (it holds: {string.Join(", ", resumeFrom.Metrics.Keys)})"));
        foreach (var name in resumeFrom.Metrics.Keys)
            if (!metrics.Any(m => m.Name == name))
                throw new ArgumentException(Fail($"it holds the running state of a metric '{name}' this trainer does not log"));
    }

    private void UpdateMetrics(Tensor output, Tensor targets)
    {
        if (metrics.Length == 0) return;
        using var noGrad = GradMode.NoGrad();
        var detached = output.Detach();
        foreach (var m in metrics) m.Update(detached, targets);
    }

    /// <summary>
    /// The loss (batch-size-weighted mean) and every metric over <paramref name="data"/>, keyed
    /// <c>loss</c> and by metric name, computed in evaluation mode without recording gradients. The
    /// model's previous train/eval modes are restored afterwards.
    /// </summary>
    public IReadOnlyDictionary<string, double> Evaluate(DataLoader data)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0)
            throw new ArgumentException($"Trainer.Evaluate: the loader yields no batches ({data.Dataset.Count} samples, batch size {data.BatchSize}, dropLast {data.DropLast})");
        foreach (var m in metrics) m.Reset();
        double lossSum = 0;
        long samples = 0;
        using (EvalScope())
        {
            foreach (var batch in data)
            {
                using var step = new TensorScope();
                var output = Model.Forward(batch.Inputs);
                lossSum += (double)Loss.Forward(output, batch.Targets).Item() * batch.Size;
                samples += batch.Size;
                foreach (var m in metrics) m.Update(output, batch.Targets);
            }
        }
        var results = new Dictionary<string, double> { ["loss"] = lossSum / samples };
        foreach (var m in metrics) results[m.Name] = m.Compute();
        return results;
    }

    /// <summary>The model's output for <paramref name="inputs"/> (one forward pass, evaluation mode, no gradients).</summary>
    public Tensor Predict(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        using (EvalScope()) return Model.Forward(inputs);
    }

    /// <summary>The outputs for every batch of <paramref name="data"/> (targets ignored), joined along the first dimension in loader order.</summary>
    public Tensor Predict(DataLoader data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var outputs = new List<Tensor>();
        using (EvalScope())
            foreach (var batch in data) outputs.Add(Model.Forward(batch.Inputs));
        if (outputs.Count == 0) throw new ArgumentException("Trainer.Predict: the loader yields no batches");
        return outputs.Count == 1 ? outputs[0] : Tensor.Cat(outputs, 0);
    }

    /// <summary>Evaluation mode and no grad until disposed, then every module's previous mode back.</summary>
    private EvalModeScope EvalScope() => new(Model);

    private sealed class EvalModeScope : IDisposable
    {
        private readonly List<(Module Module, bool Training)> modes;
        private readonly GradMode.Scope noGrad;

        public EvalModeScope(Module model)
        {
            // Pre-order list: restoring in this order lets each module's own flag override its parent's.
            modes = model.NamedModules().Select(m => (m.Module, m.Module.Training)).ToList();
            model.Eval();
            noGrad = GradMode.NoGrad();
        }

        public void Dispose()
        {
            noGrad.Dispose();
            foreach (var (module, training) in modes) module.Train(training);
        }
    }
}
