using BenchmarkDotNet.Attributes;
using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

namespace Dendrite.Benchmarks;

/// <summary>
/// One full training step of the 784-256-128-10 ReLU MLP on a batch of 64: zero the gradients, forward,
/// cross-entropy, backward, SGD (lr 0.05, momentum 0.9). The memory diagnoser's "Allocated" column is the
/// managed allocation per step, the figure the pooled-buffer work aims to drive towards zero.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Training")]
public class TrainingStepBenchmarks
{
    private const int Batch = 64;

    private Module model = null!;
    private CrossEntropyLoss loss = null!;
    private Sgd optimizer = null!;
    private Tensor inputs = null!, targets = null!;

    [GlobalSetup]
    public void Setup()
    {
        var g = new Generator(42);
        model = Models.Mlp(784, [256, 128], 10, generator: g);
        loss = new CrossEntropyLoss();
        optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
        inputs = Tensor.Rand(g, Batch, 784);
        targets = Tensor.RandInt(0, 10, [Batch], g);
    }

    [Benchmark]
    public float MlpTrainStep()
    {
        optimizer.ZeroGrad();
        var l = loss.Call(model.Call(inputs), targets);
        l.Backward();
        optimizer.Step();
        return l.Item();
    }

    /// <summary>The forward pass alone, with grad mode off: inference cost for the same batch.</summary>
    [Benchmark]
    public Tensor MlpForwardNoGrad()
    {
        using (GradMode.NoGrad())
            return model.Call(inputs);
    }
}
