using Dendrite.Data;
using Dendrite.Distributed;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Tests.Distributed;

// Data-parallel training with the members of a group as threads (LocalProcessGroup); the same under mpirun is
// in MpiTests.
public class DataParallelTests
{
    private static TensorDataset Data(int n)
    {
        var g = new Generator(5);
        var x = Tensor.Randn(g, n, 6);
        return new TensorDataset(x, x.Narrow(1, 0, 3).ArgMax(1));
    }

    private sealed record Run(Trainer Trainer, Module Model, History History, float[][] FirstGradients);

    // One member's training: the same model, loader and seed on every member, as a launcher would start them.
    private static Run Train(ProcessGroup? group, int n, int batch, int epochs)
    {
        var model = new Sequential(new Linear(6, 8, generator: new Generator(1)), new Tanh(), new Linear(8, 3, generator: new Generator(2)));
        var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1f, momentum: 0.9f), new Accuracy())
        {
            DataParallel = group is null ? null : new DataParallel(group, bucketFloats: 30),
        };
        var loader = new DataLoader(Data(n), batch, shuffle: true, generator: new Generator(3));
        var first = new Recorder();
        var history = trainer.Fit(loader, epochs, callbacks: [first]);
        return new Run(trainer, model, history, first.Gradients!);
    }

    private static Run[] TrainTogether(int size, Func<ProcessGroup, Run> member)
    {
        // One thread per member, as each rank would be one process.
        var groups = LocalProcessGroup.Create(size);
        var runs = new Run[size];
        var errors = new Exception?[size];
        var threads = groups.Select(g => new Thread(() =>
        {
            try { runs[g.Rank] = member(g); }
            catch (Exception e) { errors[g.Rank] = e; }
        })).ToArray();
        foreach (var t in threads) t.Start();
        foreach (var t in threads) t.Join();
        foreach (var e in errors)
            if (e is not null) throw new InvalidOperationException($"a member failed: {e.Message}", e);
        return runs;
    }

    private static void AssertClose(float[] expected, float[] actual, double tolerance)
    {
        double diff = 0, norm = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            diff += Math.Pow(expected[i] - actual[i], 2);
            norm += Math.Pow(expected[i], 2);
        }
        Assert.True(Math.Sqrt(diff) <= tolerance * Math.Sqrt(norm), $"relative difference {Math.Sqrt(diff / norm)} > {tolerance}");
    }

    private static float[][] Weights(Module model) => [.. model.Parameters().Select(p => p.ToArray())];

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void FirstGradientsEqualOneProcessOnTheGlobalBatch(int size)
    {
        var alone = Train(null, 100, 32, 1);
        var together = TrainTogether(size, g => Train(g, 100, 32, 1));
        foreach (var run in together)
            for (int i = 0; i < alone.FirstGradients.Length; i++)
                AssertClose(alone.FirstGradients[i], run.FirstGradients[i], 1e-6);
    }

    [Fact]
    public void ConvolutionsAndPoolingTakeTheirShareOfTheBatch()
    {
        // Rank 1's rows are a view at an offset into the batch: every kernel must read them there.
        var g = new Generator(7);
        var x = Tensor.Randn(g, 16, 1, 8, 8);
        var data = new TensorDataset(x, x.Mean(1).Reshape(16, 64).Narrow(1, 0, 4).ArgMax(1));
        Run Member(ProcessGroup? group)
        {
            var model = new Sequential(new Conv2d(1, 3, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
                                       new Flatten(), new Linear(48, 4, generator: new Generator(2)));
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1f))
            {
                DataParallel = group is null ? null : new DataParallel(group),
            };
            var first = new Recorder();
            var history = trainer.Fit(new DataLoader(data, 16), 1, callbacks: [first]);
            return new Run(trainer, model, history, first.Gradients!);
        }
        var alone = Member(null);
        foreach (var run in TrainTogether(2, Member))
            for (int i = 0; i < alone.FirstGradients.Length; i++)
                AssertClose(alone.FirstGradients[i], run.FirstGradients[i], 1e-6);
    }

    [Fact]
    public void MembersEndWithBitIdenticalWeightsCloseToOneProcess()
    {
        // 9 samples in batches of 4 over 3 members: the last batch has 1 row, so two members get none.
        var alone = Train(null, 9, 4, 6);
        var together = TrainTogether(3, g => Train(g, 9, 4, 6));
        var weights = together.Select(r => Weights(r.Model)).ToArray();
        for (int r = 1; r < weights.Length; r++)
            for (int i = 0; i < weights[0].Length; i++) Assert.Equal(weights[0][i], weights[r][i]);
        for (int i = 0; i < weights[0].Length; i++) AssertClose(Weights(alone.Model)[i], weights[0][i], 1e-4);
        // The logged loss and accuracy are the global batch's, the same on every member and as one process's.
        foreach (var run in together) Assert.Equal(together[0].History.Epochs, run.History.Epochs);
        for (int e = 0; e < 6; e++)
        {
            Assert.Equal(alone.History.Epochs[e]["accuracy"], together[0].History.Epochs[e]["accuracy"], 6);
            Assert.Equal(alone.History.Epochs[e]["loss"], together[0].History.Epochs[e]["loss"], 4);
        }
    }

    [Fact]
    public void FrozenParametersStayAsTheyAreOnEveryMember()
    {
        Run Member(ProcessGroup? group)
        {
            var first = new Linear(6, 8, generator: new Generator(1));
            first.Weight.RequiresGrad = false;
            var model = new Sequential(first, new Tanh(), new Linear(8, 3, generator: new Generator(2)));
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1f, momentum: 0.9f, weightDecay: 0.01f))
            {
                DataParallel = group is null ? null : new DataParallel(group),
            };
            var history = trainer.Fit(new DataLoader(Data(40), 8, shuffle: true, generator: new Generator(3)), 2);
            return new Run(trainer, model, history, []);
        }
        var frozen = new Linear(6, 8, generator: new Generator(1)).Weight.ToArray();
        var alone = Member(null);
        foreach (var run in TrainTogether(2, Member))
        {
            Assert.Null(run.Model.Parameters().First().Grad);
            Assert.Equal(frozen, Weights(run.Model)[0]);
            for (int i = 1; i < 4; i++) AssertClose(Weights(alone.Model)[i], Weights(run.Model)[i], 1e-5);
        }
    }

    [Theory]
    [InlineData(Reduction.Mean)]
    [InlineData(Reduction.Sum)]
    public void ASummedLossIsSummedAndAnAveragedOneAveraged(Reduction reduction)
    {
        // 10 rows in batches of 4 over 3 members: shares 1/1/2 and, in the last batch, 0/1/1.
        var x = Tensor.Randn(new Generator(4), 10, 3);
        var data = new TensorDataset(x, x.Narrow(1, 0, 2) * 2f);
        Run Member(ProcessGroup? group)
        {
            var model = new Linear(3, 2, generator: new Generator(1));
            var trainer = new Trainer(model, new MseLoss(reduction), new Sgd(model.Parameters(), 0.01f))
            {
                DataParallel = group is null ? null : new DataParallel(group),
            };
            var first = new Recorder();
            var history = trainer.Fit(new DataLoader(data, 4), 2, callbacks: [first]);
            return new Run(trainer, model, history, first.Gradients!);
        }
        var alone = Member(null);
        foreach (var run in TrainTogether(3, Member))
        {
            for (int i = 0; i < 2; i++) AssertClose(alone.FirstGradients[i], run.FirstGradients[i], 1e-6);
            for (int i = 0; i < 2; i++) AssertClose(Weights(alone.Model)[i], Weights(run.Model)[i], 1e-6);
            Assert.Equal(alone.History.Epochs[1]["loss"], run.History.Epochs[1]["loss"], 5);
        }
    }

    [Fact]
    public void RankZeroParametersAreBroadcastAtTheStart()
    {
        var models = new Module[2];
        TrainTogether(2, g =>
        {
            // Different initial weights on each member: after Fit starts, rank 1 trains rank 0's.
            var model = new Linear(4, 2, generator: new Generator((ulong)(10 + g.Rank)));
            models[g.Rank] = model;
            var trainer = new Trainer(model, new MseLoss(), new Sgd(model.Parameters(), 0.05f)) { DataParallel = new DataParallel(g) };
            var x = Tensor.Randn(new Generator(1), 8, 4);
            trainer.Fit(new DataLoader(new TensorDataset(x, x.Narrow(1, 0, 2)), 4), 2);
            return new Run(trainer, model, new History(), []);
        });
        for (int i = 0; i < 2; i++) Assert.Equal(Weights(models[0])[i], Weights(models[1])[i]);
    }

    [Fact]
    public void CancellingOneMemberStopsAllAfterTheSameStep()
    {
        var contexts = new TrainingContext[2];
        TrainTogether(2, g =>
        {
            // Only rank 1 is asked to stop, in its fourth step; rank 0 learns of it from the next exchange.
            using var cancel = new CancellationTokenSource();
            var stopper = new Stopper(g.Rank == 1 ? cancel : null, batch: 3);
            var model = new Linear(6, 3, generator: new Generator(1));
            var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1f)) { DataParallel = new DataParallel(g) };
            trainer.Fit(new DataLoader(Data(200), 10), 3, callbacks: [stopper], cancellationToken: cancel.Token);
            contexts[g.Rank] = stopper.End!;
            return new Run(trainer, model, new History(), []);
        });
        Assert.All(contexts, c => Assert.True(c.Cancelled));
        Assert.Equal(5, contexts[0].ResumePoint().Batch);
        Assert.Equal(contexts[0].ResumePoint().Batch, contexts[1].ResumePoint().Batch);
    }

    private sealed class Stopper(CancellationTokenSource? cancel, int batch) : Callback
    {
        public TrainingContext? End { get; private set; }

        public override void OnBatchEnd(TrainingContext context)
        {
            if (context.Batch == batch) cancel?.Cancel();
        }

        public override void OnTrainEnd(TrainingContext context) => End = context;
    }

    [Fact]
    public void AMemberThatNeverJoinsEndsTheOthersWithinTheTimeout()
    {
        var groups = LocalProcessGroup.Create(2);
        groups[0].Timeout = TimeSpan.FromMilliseconds(300);
        var e = Assert.Throws<ProcessGroupException>(() => groups[0].AllReduceSum(new float[4]));
        Assert.Contains("rank 0 of 2: all-reduce of 4 floats did not complete within 0.3 s", e.Message);
        Assert.True(groups[0].Broken);
        Assert.Throws<ProcessGroupException>(() => groups[0].Barrier());
    }

    private sealed class Recorder : Callback
    {
        public float[][]? Gradients { get; private set; }

        public override void OnBatchEnd(TrainingContext context) =>
            Gradients ??= [.. context.Model.Parameters().Select(p => p.Grad!.ToArray())];
    }
}
