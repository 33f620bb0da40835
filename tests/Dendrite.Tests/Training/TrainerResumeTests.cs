using Dendrite.Data;
using Dendrite.Optim;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Tests.Training;

/// <summary>Fit's resume point, cancellation token and the hooks around them.</summary>
public class TrainerResumeTests
{
    // Two overlapping Gaussian blobs, one-hot targets: a 2-output linear model learns them with squared error,
    // and accuracy (below 1) is a metric with a running state to carry across an interruption.
    private static readonly TensorDataset Blobs = OneHot(Dendrite.Data.Datasets.Synthetic2D.Gaussians(30, 0.5, new Generator(5)));
    private static readonly TensorDataset Held = OneHot(Dendrite.Data.Datasets.Synthetic2D.Gaussians(10, 0.5, new Generator(6)));

    private static TensorDataset OneHot(TensorDataset data) => new(data.Inputs, Tensor.OneHot(data.Targets, 2));

    /// <summary>A run as a program builds it: model, Adam (state to restore), a shuffling loader with its own generator.</summary>
    private sealed class Run
    {
        public Run(ulong shuffleSeed = 3)
        {
            Model = new TinyLinear(2, 2, new Generator(11));
            Optimizer = new Adam(Model.Parameters(), lr: 0.05f);
            Trainer = new Trainer(Model, new SquaredError(), Optimizer, new Accuracy());
            Loader = new DataLoader(Blobs, 7, shuffle: true, generator: new Generator(shuffleSeed));
        }

        public TinyLinear Model { get; }
        public Adam Optimizer { get; }
        public Trainer Trainer { get; }
        public DataLoader Loader { get; }
        public DataLoader Validation { get; } = new(Held, 8);

        public int[] WeightBits => [.. Model.Weight.ToArray().Select(BitConverter.SingleToInt32Bits), .. Model.Bias.ToArray().Select(BitConverter.SingleToInt32Bits)];
    }

    /// <summary>Cancels its token after the step of (epoch, batch) and keeps the resume point OnTrainEnd sees.</summary>
    private sealed class CancelAt(int epoch, int batch, CancellationTokenSource source) : Callback
    {
        public ResumePoint? Point { get; private set; }
        public bool Cancelled { get; private set; }
        public override void OnBatchEnd(TrainingContext c)
        {
            if (c.Epoch == epoch && c.Batch == batch) source.Cancel();
        }
        public override void OnTrainEnd(TrainingContext c)
        {
            Cancelled = c.Cancelled;
            Point = c.ResumePoint();
        }
    }

    private static void AssertSameHistory(History expected, History actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int e = 0; e < expected.Count; e++)
            Assert.Equal(expected.Epochs[e], actual.Epochs[e]); // exact doubles, key order included
    }

    [Theory]
    [InlineData(1, 2)] // inside the second epoch
    [InlineData(0, 0)] // after the very first step
    [InlineData(2, 3)] // inside the last epoch
    public void ResumingMidEpoch_IsBitIdenticalToAnUninterruptedFit(int epoch, int batch)
    {
        var straight = new Run();
        var expected = straight.Trainer.Fit(straight.Loader, 3, straight.Validation);

        var first = new Run();
        using var cancel = new CancellationTokenSource();
        var stop = new CancelAt(epoch, batch, cancel);
        var partial = first.Trainer.Fit(first.Loader, 3, first.Validation, [stop], cancellationToken: cancel.Token);
        Assert.True(stop.Cancelled);
        Assert.Equal(epoch, partial.Count);
        var point = stop.Point!;
        Assert.Equal((epoch, batch + 1), (point.Epoch, point.Batch));
        Assert.Equal(2, point.Metrics["accuracy"].Length);
        Assert.Equal(point.Samples, point.Metrics["accuracy"][1]);

        // A fresh process: new objects, the states loaded, and a loader whose generator starts elsewhere —
        // Fit puts it back to where the interrupted epoch's order was drawn from.
        var second = new Run(shuffleSeed: 999);
        second.Model.LoadStateDict(first.Model.StateDict());
        second.Optimizer.LoadStateDict(first.Optimizer.StateDict());
        var resumed = second.Trainer.Fit(second.Loader, 3, second.Validation, resumeFrom: point);

        Assert.Equal(straight.WeightBits, second.WeightBits);
        AssertSameHistory(expected, resumed);
    }

    [Fact]
    public void ResumingAtABoundary_ContinuesWithTheNextEpoch()
    {
        var straight = new Run();
        var expected = straight.Trainer.Fit(straight.Loader, 4);

        var first = new Run();
        ResumePoint? point = null;
        first.Trainer.Fit(first.Loader, 2, callbacks: [new Hooks { EpochEnd = c => point = c.ResumePoint() }]);
        Assert.Equal((2, 0, 0L), (point!.Epoch, point.Batch, point.Samples));
        Assert.Empty(point.Metrics);
        Assert.Equal(2, point.History.Count);

        var second = new Run(shuffleSeed: 999);
        second.Model.LoadStateDict(first.Model.StateDict());
        second.Optimizer.LoadStateDict(first.Optimizer.StateDict());
        var resumed = second.Trainer.Fit(second.Loader, 4, resumeFrom: point);
        Assert.Equal(straight.WeightBits, second.WeightBits);
        AssertSameHistory(expected, resumed);
    }

    /// <summary>A point after the last epoch (a run whose final model write was lost) trains nothing and gives the stored history.</summary>
    [Fact]
    public void AResumePointAtTheEndTrainsNothing()
    {
        var first = new Run();
        ResumePoint? point = null;
        var expected = first.Trainer.Fit(first.Loader, 3, callbacks: [new Hooks { EpochEnd = c => point = c.ResumePoint() }]);
        Assert.Equal((3, 0), (point!.Epoch, point.Batch));

        var second = new Run();
        second.Model.LoadStateDict(first.Model.StateDict());
        second.Optimizer.LoadStateDict(first.Optimizer.StateDict());
        int steps = 0, ends = 0;
        var history = second.Trainer.Fit(second.Loader, 3, callbacks: [new Hooks { BatchEnd = _ => steps++, TrainEnd = _ => ends++ }], resumeFrom: point);
        Assert.Equal((0, 1), (steps, ends));
        Assert.Equal(first.WeightBits, second.WeightBits);
        AssertSameHistory(expected, history);
    }

    [Fact]
    public void CancellationStopsAfterTheCurrentStep_WithoutLoggingTheEpoch()
    {
        var run = new Run();
        var sgd = new Sgd(run.Model.Parameters(), 0.1f);
        var trainer = new Trainer(run.Model, new SquaredError(), sgd);
        using var cancel = new CancellationTokenSource();
        var events = new List<string>();
        var hooks = new Hooks
        {
            // Cancelled while the step of batch 0.2 runs: that step completes, no further one starts.
            BatchBegin = c => { events.Add($"batch_begin {c.Epoch}.{c.Batch}"); if (c.Batch == 2) cancel.Cancel(); },
            BatchEnd = c => events.Add($"batch_end {c.Epoch}.{c.Batch}"),
            EpochEnd = c => events.Add("epoch_end"),
            TrainEnd = c => events.Add($"train_end cancelled={c.Cancelled} {c.ResumePoint().Epoch}.{c.ResumePoint().Batch}"),
        };
        var history = trainer.Fit(run.Loader, 3, callbacks: [hooks], cancellationToken: cancel.Token);

        Assert.Equal(0, history.Count);
        Assert.Equal(3, sgd.StepCount(0));
        Assert.Equal(["batch_begin 0.0", "batch_end 0.0", "batch_begin 0.1", "batch_end 0.1", "batch_begin 0.2", "batch_end 0.2",
                      "train_end cancelled=True 0.3"], events);
    }

    [Fact]
    public void CancellationInAnEpochsLastStep_FinishesThatEpoch()
    {
        var run = new Run();
        using var cancel = new CancellationTokenSource();
        var stop = new CancelAt(0, run.Loader.Count - 1, cancel);
        var history = run.Trainer.Fit(run.Loader, 3, callbacks: [stop], cancellationToken: cancel.Token);
        Assert.Equal(1, history.Count);
        Assert.True(stop.Cancelled);
        Assert.Equal((1, 0), (stop.Point!.Epoch, stop.Point.Batch));

        // In the last epoch it simply ends the run.
        using var cancelLast = new CancellationTokenSource();
        var last = new CancelAt(2, run.Loader.Count - 1, cancelLast);
        var other = new Run();
        Assert.Equal(3, other.Trainer.Fit(other.Loader, 3, callbacks: [last], cancellationToken: cancelLast.Token).Count);
        Assert.False(last.Cancelled);
    }

    [Fact]
    public void AnAlreadyCancelledTokenTrainsNothing()
    {
        var run = new Run();
        var before = run.WeightBits;
        var stop = new CancelAt(-1, -1, new CancellationTokenSource());
        var history = run.Trainer.Fit(run.Loader, 2, callbacks: [stop], cancellationToken: new CancellationToken(canceled: true));
        Assert.Equal(0, history.Count);
        Assert.True(stop.Cancelled);
        Assert.Equal((0, 0), (stop.Point!.Epoch, stop.Point.Batch));
        Assert.Equal(before, run.WeightBits);
    }

    /// <summary>A callback with state: counts the batches it has seen, across resumes.</summary>
    private sealed class BatchCounter(List<string> events) : Callback
    {
        public int Seen { get; private set; }
        public override void OnTrainBegin(TrainingContext c) { Seen = 0; events.Add("train_begin"); }
        public override void OnEpochBegin(TrainingContext c) => events.Add($"epoch_begin {c.Epoch} seen={Seen}");
        public override void OnBatchBegin(TrainingContext c) => events.Add($"batch_begin {c.Epoch}.{c.Batch}");
        public override void OnBatchEnd(TrainingContext c) { Seen++; events.Add($"batch_end {c.Epoch}.{c.Batch} samples={c.Samples}"); }
        public override void OnEpochEnd(TrainingContext c) => events.Add($"epoch_end {c.Epoch} {string.Join(",", c.Logs.Keys)}");
        public override void OnTrainEnd(TrainingContext c) => events.Add($"train_end {c.History.Count}");
        public override IReadOnlyDictionary<string, double> GetState() => new Dictionary<string, double> { ["seen"] = Seen };
        public override void SetState(IReadOnlyDictionary<string, double> state) { Seen = (int)state["seen"]; events.Add($"set_state seen={Seen}"); }
    }

    [Fact]
    public void AResumedFit_CallsTheHooksInOrder_AndHandsCallbacksTheirState()
    {
        // 5 samples in batches of 3 and 2; interrupted after batch 0 of epoch 1.
        var data = new TensorDataset(Tensor.Ones(5, 2), Tensor.Zeros(5, 2));
        var first = new Run();
        var events = new List<string>();
        using var cancel = new CancellationTokenSource();
        var stop = new CancelAt(1, 0, cancel);
        first.Trainer.Fit(new DataLoader(data, 3), 2, callbacks: [new BatchCounter(events), stop], cancellationToken: cancel.Token);
        Assert.Equal(3.0, stop.Point!.Callbacks[nameof(BatchCounter)]["seen"]);

        events.Clear();
        var counter = new BatchCounter(events);
        new Run().Trainer.Fit(new DataLoader(data, 3), 2, new DataLoader(data, 5), [counter], stop.Point);
        Assert.Equal(
        [
            "train_begin", "set_state seen=3",
            "epoch_begin 1 seen=3", "batch_begin 1.1", "batch_end 1.1 samples=5", "epoch_end 1 loss,accuracy,val_loss,val_accuracy",
            "train_end 2",
        ], events);
        Assert.Equal(4, counter.Seen);
    }

    [Fact]
    public void TheContextGivesTheEpochsRunningLoss()
    {
        var data = new TensorDataset(Tensor.FromArray([1f, 2f, 3f], 3, 1), Tensor.Zeros(3, 1));
        var model = new Probe();
        var trainer = new Trainer(model, new SquaredError(), new Sgd(model.Parameters(), 1e-9f));
        var running = new List<double>();
        trainer.Fit(new DataLoader(data, 2), 1, callbacks: [new Hooks { BatchEnd = c => running.Add(c.EpochLoss) }]);
        // Batch losses mean(1, 4) = 2.5 over 2 samples and 9 over 1: running means 2.5, then (5 + 9) / 3.
        Assert.Equal(2.5, running[0], 6);
        Assert.Equal(14.0 / 3, running[1], 5);
    }

    [Fact]
    public void AResumePointThatDoesNotFitIsRejectedBeforeTraining()
    {
        var run = new Run();
        string Error(ResumePoint point, int epochs = 3) =>
            Assert.Throws<ArgumentException>(() => run.Trainer.Fit(run.Loader, epochs, resumeFrom: point)).Message;
        var accuracy = new Dictionary<string, double[]> { ["accuracy"] = [1, 7] };
        ulong[] shuffle = new Generator(1).GetState();

        Assert.Contains("4 epochs are already done and 3 were asked for", Error(new ResumePoint { Epoch = 4 }));
        Assert.Contains("3 epochs are already done and 3 were asked for", Error(new ResumePoint { Epoch = 3, Batch = 1, Samples = 7, Metrics = accuracy, Shuffle = shuffle }));
        Assert.Contains($"the loader yields {run.Loader.Count} batches per epoch", Error(new ResumePoint { Batch = 99, Samples = 7, Metrics = accuracy, Shuffle = shuffle }));
        Assert.Contains("lacks the generator state", Error(new ResumePoint { Batch = 1, Samples = 7, Metrics = accuracy }));
        Assert.Contains("no running state for the metric 'accuracy'", Error(new ResumePoint { Batch = 1, Samples = 7, Shuffle = shuffle }));
        Assert.Contains("'f1' this trainer does not log",
            Error(new ResumePoint { Batch = 1, Samples = 7, Shuffle = shuffle, Metrics = new Dictionary<string, double[]>(accuracy) { ["f1"] = [] } }));
        Assert.Contains("must not be negative", Error(new ResumePoint { Epoch = -1 }));
        Assert.Equal(0, run.Optimizer.StepCount(0));
    }

    [Fact]
    public void AMetricWithoutSavedState_StillTrains_ButCannotGiveAMidEpochPoint()
    {
        var model = new TinyLinear(2, 2, new Generator(1));
        var trainer = new Trainer(model, new SquaredError(), new Sgd(model.Parameters(), 0.1f), new NoState());
        var loader = new DataLoader(Blobs, 20);
        Assert.Equal(2, trainer.Fit(loader, 2, callbacks: [new Hooks { EpochEnd = c => c.ResumePoint() }]).Count);
        var e = Assert.Throws<NotSupportedException>(() => trainer.Fit(loader, 1, callbacks: [new Hooks { BatchEnd = c => c.ResumePoint() }]));
        Assert.Contains("NoState", e.Message);
    }

    [Fact]
    public void TwoStatefulCallbacksNeedDistinctKeys()
    {
        var run = new Run();
        var events = new List<string>();
        var e = Assert.Throws<InvalidOperationException>(() => run.Trainer.Fit(run.Loader, 1,
            callbacks: [new BatchCounter(events), new BatchCounter(events), new Hooks { EpochEnd = c => c.ResumePoint() }]));
        Assert.Contains("'BatchCounter'", e.Message);
    }

    private sealed class NoState : Metric
    {
        public override string Name => "nostate";
        public override void Reset() { }
        public override void Update(Tensor output, Tensor target) { }
        public override double Compute() => 0;
    }

    /// <summary>y = x·s with one scalar parameter.</summary>
    private sealed class Probe : Dendrite.NN.Module
    {
        private readonly Dendrite.NN.Parameter scale;
        public Probe() => scale = RegisterParameter("scale", new Dendrite.NN.Parameter(Tensor.Ones(1)));
        public override Tensor Forward(Tensor input) => input * scale;
    }

    private sealed class Hooks : Callback
    {
        public Action<TrainingContext>? BatchBegin { get; init; }
        public Action<TrainingContext>? BatchEnd { get; init; }
        public Action<TrainingContext>? EpochEnd { get; init; }
        public Action<TrainingContext>? TrainEnd { get; init; }
        public override void OnBatchBegin(TrainingContext c) => BatchBegin?.Invoke(c);
        public override void OnBatchEnd(TrainingContext c) => BatchEnd?.Invoke(c);
        public override void OnEpochEnd(TrainingContext c) => EpochEnd?.Invoke(c);
        public override void OnTrainEnd(TrainingContext c) => TrainEnd?.Invoke(c);
    }
}
