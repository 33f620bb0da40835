using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Tests.Training;

public class TrainerTests
{
    // y = 2x₁ − 3x₂ + 1 with a little noise: learnable by TinyLinear(2, 1).
    private static TensorDataset Regression(int n, ulong seed)
    {
        var g = new Generator(seed);
        var x = Tensor.Randn(g, n, 2);
        var y = x.MatMul(Tensor.FromArray([2f, -3f], 2, 1)) + 1f + Tensor.Randn(g, n, 1) * 0.01f;
        return new TensorDataset(x, y);
    }

    private static (Trainer Trainer, TinyLinear Model) Make(float lr = 0.05f, params Metric[] metrics)
    {
        var model = new TinyLinear(2, 1, new Generator(11));
        return (new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), lr), metrics), model);
    }

    [Fact]
    public void LossDecreasesAndHistoryHasOneEntryPerEpoch()
    {
        var (trainer, model) = Make();
        var train = new DataLoader(Regression(64, 1), 8, shuffle: true, generator: new Generator(2));
        var validation = new DataLoader(Regression(32, 3), 16);
        var history = trainer.Fit(train, 20, validation);

        Assert.Equal(20, history.Count);
        Assert.Equal(["loss", "val_loss"], history.Keys);
        Assert.Equal(20, history["loss"].Count);
        Assert.True(history["loss"][^1] < 0.01 * history["loss"][0], $"loss {history["loss"][0]} → {history["loss"][^1]}");
        Assert.True(history["val_loss"][^1] < 1e-3);
        Assert.Equal(history["val_loss"][4], history.Epochs[4]["val_loss"]);
        Assert.Equal([2f, -3f], model.Weight.ToArray(), (a, b) => Math.Abs(a - b) < 0.05);
        Assert.Throws<KeyNotFoundException>(() => history["accuracy"]);
        Assert.True(model.Training);
    }

    [Fact]
    public void EachBatchIsOneFreshGradientStep()
    {
        // Three epochs of one full batch equal three hand-written steps p ← p − lr·∇p with zeroed gradients;
        // gradients accumulated across batches would take different steps.
        var data = Regression(12, 7);
        var (trainer, model) = Make(lr: 0.1f);
        var reference = new TinyLinear(2, 1, new Generator(11));
        var sgd = new PlainSgd(reference.Parameters(), 0.1f);
        for (int step = 0; step < 3; step++)
        {
            sgd.ZeroGrad();
            (reference.Forward(data.Inputs) - data.Targets).Square().Mean().Backward();
            sgd.Step();
        }
        trainer.Fit(new DataLoader(data, 12), 3);
        Assert.Equal(reference.Weight.ToArray(), model.Weight.ToArray());
        Assert.Equal(reference.Bias.ToArray(), model.Bias.ToArray());
    }

    [Fact]
    public void FitTrainsInTrainingModeAndValidatesInEvalMode()
    {
        var model = new Probe();
        model.Eval();
        var data = new TensorDataset(Tensor.Ones(4, 1), Tensor.Ones(4, 1));
        new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), 0.1f))
            .Fit(new DataLoader(data, 2), 1, new DataLoader(data, 4));
        Assert.Equal([true, true, false], model.SeenTraining);
    }

    [Fact]
    public void EpochLossIsTheSampleWeightedMean()
    {
        // With one step of lr → 0 the weights barely move; the epoch loss must equal the full-data loss,
        // although the batches have sizes 4, 4 and 2 (a plain mean of batch losses would differ).
        var data = Regression(10, 4);
        var (trainer, model) = Make(lr: 1e-7f);
        float full;
        using (GradMode.NoGrad()) full = (model.Forward(data.Inputs) - data.Targets).Square().Mean().Item();
        var history = trainer.Fit(new DataLoader(data, 4), 1);
        Assert.Equal(full, history["loss"][0], 1e-4);
        Assert.Equal(full, trainer.Evaluate(new DataLoader(data, 3))["loss"], 1e-4);
    }

    [Fact]
    public void MetricsAreLoggedForTrainingAndValidation()
    {
        // Two well-separated Gaussians through a 2-output linear model trained on one-hot squared error.
        var data = Dendrite.Data.Datasets.Synthetic2D.Gaussians(40, 0, new Generator(5));
        var (x, labels) = (data.Inputs, data.Targets);
        var oneHot = new TensorDataset(x, Tensor.OneHot(labels, 2));
        var model = new TinyLinear(2, 2, new Generator(6));
        var trainer = new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), 0.1f), new Accuracy());
        var history = trainer.Fit(new DataLoader(oneHot, 8), 30, new DataLoader(oneHot, 40));
        Assert.Equal(["loss", "accuracy", "val_loss", "val_accuracy"], history.Keys);
        Assert.True(history["val_accuracy"][^1] >= 0.95, $"val accuracy {history["val_accuracy"][0]} → {history["val_accuracy"][^1]}");
        // The same accuracy from predictions by hand.
        var predicted = trainer.Predict(x).ArgMax(1);
        Assert.Equal(predicted.Eq(labels).Mean().Item(), history["val_accuracy"][^1], 1e-6);
        Assert.Equal(x.Size(0), trainer.Predict(new DataLoader(data, 7)).Size(0));
    }

    [Fact]
    public void PredictRunsInEvalModeWithoutGradAndRestoresModes()
    {
        var model = new Probe();
        var trainer = new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), 0.1f));
        model.Train();
        var output = trainer.Predict(Tensor.Ones(3, 1));
        Assert.False(output.RequiresGrad);
        Assert.Equal([false], model.SeenTraining);
        Assert.True(model.Training);
        model.Eval();
        trainer.Evaluate(new DataLoader(new TensorDataset(Tensor.Ones(3, 1), Tensor.Ones(3, 1)), 2));
        Assert.False(model.Training);
        // A mixed tree keeps each module's own mode.
        var tree = new Sequential(new Probe(), new Probe());
        tree.Train();
        ((Probe)tree[1]).Eval();
        new Trainer(tree, new SquaredError(), new PlainSgd(tree.Parameters(), 0.1f)).Predict(Tensor.Ones(1, 1));
        Assert.True(tree.Training);
        Assert.True(tree[0].Training);
        Assert.False(tree[1].Training);
    }

    private sealed class Probe : Module
    {
        private readonly Parameter scale;
        public Probe() => scale = RegisterParameter("scale", new Parameter(Tensor.Ones(1)));
        public List<bool> SeenTraining { get; } = [];
        public override Tensor Forward(Tensor input)
        {
            SeenTraining.Add(Training);
            return input * scale;
        }
    }

    private sealed class Recorder : Callback
    {
        public List<string> Events { get; } = [];
        public override void OnTrainBegin(TrainingContext c) => Events.Add("train_begin");
        public override void OnTrainEnd(TrainingContext c) => Events.Add($"train_end {c.History.Count}");
        public override void OnEpochBegin(TrainingContext c) => Events.Add($"epoch_begin {c.Epoch}");
        public override void OnEpochEnd(TrainingContext c) =>
            Events.Add($"epoch_end {c.Epoch} {string.Join(",", c.Logs.Keys)}");
        public override void OnBatchBegin(TrainingContext c) => Events.Add($"batch_begin {c.Epoch}.{c.Batch}");
        public override void OnBatchEnd(TrainingContext c) => Events.Add($"batch_end {c.Epoch}.{c.Batch} size={c.Logs["size"]}");
    }

    [Fact]
    public void CallbacksRunInOrder()
    {
        var (trainer, _) = Make();
        var recorder = new Recorder();
        trainer.Fit(new DataLoader(Regression(5, 1), 3), 2, new DataLoader(Regression(4, 2), 4), [recorder]);
        Assert.Equal(
        [
            "train_begin",
            "epoch_begin 0", "batch_begin 0.0", "batch_end 0.0 size=3", "batch_begin 0.1", "batch_end 0.1 size=2", "epoch_end 0 loss,val_loss",
            "epoch_begin 1", "batch_begin 1.0", "batch_end 1.0 size=3", "batch_begin 1.1", "batch_end 1.1 size=2", "epoch_end 1 loss,val_loss",
            "train_end 2",
        ], recorder.Events);
    }

    private sealed class StopAfterBatch(int epoch, int batch) : Callback
    {
        public override void OnBatchEnd(TrainingContext c) => c.StopTraining |= c.Epoch == epoch && c.Batch == batch;
    }

    [Fact]
    public void StopTrainingEndsAfterTheCurrentBatch()
    {
        var (trainer, _) = Make();
        var recorder = new Recorder();
        var history = trainer.Fit(new DataLoader(Regression(9, 1), 3), 5, callbacks: [new StopAfterBatch(1, 0), recorder]);
        Assert.Equal(2, history.Count);
        Assert.Equal("train_end 2", recorder.Events[^1]);
        Assert.DoesNotContain("batch_begin 1.1", recorder.Events);
    }

    [Fact]
    public void EarlyStoppingStopsWhenTheMonitorStalls()
    {
        // Learning rate so small that the validation loss improves by less than minDelta each epoch.
        var (trainer, _) = Make(lr: 1e-6f);
        var stopper = new EarlyStopping("val_loss", patience: 2, minDelta: 0.1);
        var history = trainer.Fit(new DataLoader(Regression(16, 1), 8), 50, new DataLoader(Regression(8, 2), 8), [stopper]);
        // Epoch 0 sets the best; epochs 1 and 2 do not improve on it, and after the second of them training stops.
        Assert.Equal(3, history.Count);
        Assert.Equal(2, stopper.StoppedEpoch);
        Assert.Equal(history["val_loss"][0], stopper.Best);
    }

    [Fact]
    public void EarlyStoppingLetsAnImprovingRunFinish()
    {
        var (trainer, _) = Make();
        var stopper = new EarlyStopping("loss", patience: 1);
        var history = trainer.Fit(new DataLoader(Regression(32, 1), 8), 10, callbacks: [stopper]);
        Assert.Equal(10, history.Count);
        Assert.Null(stopper.StoppedEpoch);
    }

    [Fact]
    public void MonitoringAMissingKeyIsAClearError()
    {
        var (trainer, _) = Make();
        var e = Assert.Throws<InvalidOperationException>(() =>
            trainer.Fit(new DataLoader(Regression(8, 1), 4), 3, callbacks: [new EarlyStopping()]));
        Assert.Contains("'val_loss'", e.Message);
        Assert.Contains("logged: loss", e.Message);
    }

    [Fact]
    public void KeepBestRestoresTheBestEpochsWeights()
    {
        // The learning rate grows each epoch until training diverges; the kept state is the best epoch's.
        var (trainer, model) = Make(lr: 0.05f);
        var keep = new KeepBest("loss");
        var snapshots = new List<float[]>();
        var grow = new Hook(c =>
        {
            snapshots.Add([.. model.Weight.ToArray(), .. model.Bias.ToArray()]);
            c.Trainer.Optimizer.LearningRate *= 2.2f;
        });
        var history = trainer.Fit(new DataLoader(Regression(32, 1), 32), 8, callbacks: [keep, grow]);
        int best = Enumerable.Range(0, history.Count).MinBy(e => history["loss"][e]);
        Assert.True(best < history.Count - 1, "the run should have got worse after its best epoch");
        Assert.Equal(best, keep.BestEpoch);
        Assert.Equal(history["loss"][best], keep.Best);
        Assert.Equal(snapshots[best], (float[])[.. model.Weight.ToArray(), .. model.Bias.ToArray()]);
        Assert.NotEqual(snapshots[^1], snapshots[best]);
    }

    [Fact]
    public void KeepBestCanLeaveTheLastWeights()
    {
        var (trainer, model) = Make();
        var keep = new KeepBest("loss", restoreAtEnd: false);
        trainer.Fit(new DataLoader(Regression(16, 1), 4), 3, callbacks: [keep]);
        Assert.NotNull(keep.BestState);
        Assert.Equal(keep.BestState!["weight"].ToArray(), model.Weight.ToArray());
    }

    private sealed class Hook(Action<TrainingContext> onEpochEnd) : Callback
    {
        public override void OnEpochEnd(TrainingContext c) => onEpochEnd(c);
    }

    [Fact]
    public void NonFiniteLossStopsWithTheEpochAndBatch()
    {
        var x = Tensor.Ones(6, 2);
        var t = Tensor.FromArray([0f, 0f, 0f, float.NaN, 0f, 0f], 6, 1);
        var (trainer, _) = Make();
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new DataLoader(new TensorDataset(x, t), 2), 3));
        Assert.Contains("NaN at epoch 1, batch 2 of 3", e.Message);
        Assert.Contains("targets hold NaN", e.Message);
        Assert.Equal((1, 2, null), (e.Epoch, e.Batch, e.Layer));
    }

    [Fact]
    public void AnExplodingLearningRateNamesTheFirstLayerWhoseOutputWentNonFinite()
    {
        var g = new Generator(5);
        var model = new Sequential(new Linear(2, 16, generator: g), new ReLU(), new Linear(16, 16, generator: g), new ReLU(), new Linear(16, 1, generator: g));
        var trainer = new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), 1e6f));
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new DataLoader(Regression(32, 1), 8), 50));
        Assert.NotNull(e.Layer);
        Assert.Matches("^layer [024] \\(Linear\\)$", e.Layer);
        Assert.Contains($"at epoch {e.Epoch}, batch {e.Batch} of 4", e.Message);
        Assert.Contains($"the first layer whose output is not finite is {e.Layer}", e.Message);
        // The failing batch's update was not applied: re-running that batch now still first goes
        // non-finite at the layer named, and not before it.
        var rows = Regression(32, 1).Inputs.ToArray()[((e.Batch - 1) * 16)..(e.Batch * 16)];
        var x = Tensor.FromArray(rows, 8, 2);
        string? first = null;
        for (int i = 0; i < model.Count && first is null; i++)
        {
            x = model[i].Forward(x);
            if (!x.ToArray().All(float.IsFinite)) first = $"layer {i} ({model[i].GetType().Name})";
        }
        Assert.Equal(e.Layer, first);
    }

    [Fact]
    public void SkipLeavesOutTheUpdatesOfNonFiniteBatchesAndCountsThem()
    {
        var data = Regression(6, 1);
        var values = data.Targets.ToArray();
        values[3] = float.NaN;
        var t = Tensor.FromArray(values, 6, 1);
        var (trainer, model) = Make();
        trainer.OnNonFiniteLoss = NonFiniteLossPolicy.Skip;
        int skipped = -1;
        var history = trainer.Fit(new DataLoader(new TensorDataset(data.Inputs, t), 2), 3, callbacks: [new EndHook(c => skipped = c.SkippedBatches)]);
        Assert.Equal(3, skipped);
        Assert.Equal(3, history.Count);
        Assert.All(history["loss"], l => Assert.True(double.IsFinite(l)));
        Assert.All(model.Parameters(), p => Assert.All(p.ToArray(), v => Assert.True(float.IsFinite(v))));
    }

    [Fact]
    public void SkipStillStopsWhenEveryBatchOfAnEpochIsSkipped()
    {
        var (trainer, _) = Make();
        trainer.OnNonFiniteLoss = NonFiniteLossPolicy.Skip;
        var t = Tensor.Full([4, 1], float.NaN);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new DataLoader(new TensorDataset(Tensor.Ones(4, 2), t), 2), 2));
        Assert.Contains("every batch of the epoch", e.Message);
        Assert.Equal((1, 2), (e.Epoch, e.Batch));
    }

    private sealed class EndHook(Action<TrainingContext> onTrainEnd) : Callback
    {
        public override void OnTrainEnd(TrainingContext c) => onTrainEnd(c);
    }

    [Fact]
    public void DivergingTrainingIsReportedNotSilentlyContinued()
    {
        var (trainer, _) = Make(lr: 50f);
        var e = Assert.Throws<TrainingDivergedException>(() => trainer.Fit(new DataLoader(Regression(32, 1), 32), 200));
        Assert.Matches("loss became (NaN|[+-]Infinity) at epoch \\d+, batch 1", e.Message);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var (trainer, model) = Make();
        var loader = new DataLoader(Regression(4, 1), 2);
        Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(loader, 0));
        Assert.Throws<ArgumentException>(() => trainer.Fit(new DataLoader(Regression(3, 1), 4, dropLast: true), 1));
        var e = Assert.Throws<ArgumentException>(() =>
            new Trainer(model, new SquaredError(), new PlainSgd(model.Parameters(), 0.1f), new Accuracy(), new Accuracy()));
        Assert.Contains("'accuracy'", e.Message);
    }

    [Fact]
    public void EpochLoggerWritesOneLinePerEpoch()
    {
        var (trainer, _) = Make();
        var text = new StringWriter();
        trainer.Fit(new DataLoader(Regression(8, 1), 4), 3, new DataLoader(Regression(4, 2), 4), [new EpochLogger(text, 3)]);
        var lines = text.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.Matches(@"^epoch 1/3  loss \d+\.\d{3}  val_loss \d+\.\d{3}$", lines[0]);
        Assert.StartsWith("epoch 3/3", lines[2]);
    }
}
