using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

public class ActivationStatsTests
{
    private static Linear Fixed(float[,] weight, float[] bias)
    {
        var layer = new Linear(weight.GetLength(1), weight.GetLength(0));
        using (GradMode.NoGrad())
        {
            layer.Weight.CopyFrom_(Tensor.FromArray(weight));
            layer.Bias!.CopyFrom_(Tensor.FromArray(bias));
        }
        return layer;
    }

    // Inputs in [0, 1)²: ReLU units 1 and 2 can never fire (dead), unit 0 fires only for x₀ > 0.5, unit 3 always;
    // tanh units 0 and 2 sit at ±1 on every input (saturated), unit 1 is always 0; sigmoid unit 0 is ≈ 1 always.
    private static Sequential Constructed() => new(
        Fixed(new float[,] { { 1, 0 }, { -1, 0 }, { 0, 0 }, { 0, 1 } }, [-0.5f, -10, -1, 0.5f]), new ReLU(),
        Fixed(new float[,] { { 50, 50, 50, 50 }, { 0, 0, 0, 0 }, { 0, 0, 0, -20 } }, [10, 0, -20]), new Tanh(),
        Fixed(new float[,] { { 0, 0, 0 }, { 1, 1, 1 } }, [10, 0]), new Sigmoid());

    [Fact]
    public void DeadAndSaturatedUnitsAreCountedExactly()
    {
        var model = Constructed();
        var g = new Generator(5);
        var batches = Enumerable.Range(0, 4).Select(_ => Tensor.Rand(g, 16, 2)).ToList();
        var stats = ActivationStats.Compute(model, batches, bins: 10);
        Assert.Equal(["0", "1", "2", "3", "4", "5"], stats.Select(s => s.Name));
        Assert.Equal([null, 0.5, null, null, null, null], stats.Select(s => s.DeadFraction));
        Assert.Equal([null, null, null, 2.0 / 3, null, 0.5], stats.Select(s => s.SaturatedFraction));
        Assert.Equal([4, 4, 3, 3, 2, 2], stats.Select(s => s.Units));
        Assert.True(stats.All(s => s.Count == 64L * s.Units));

        // Mean, spread, range and histogram against the captured outputs themselves.
        var all = Tensor.Cat(batches);
        var captured = Activations.Capture(model, all);
        for (int layer = 0; layer < 6; layer++)
        {
            var values = captured[layer].Output.ToArray();
            var s = stats[layer];
            double mean = values.Average(v => (double)v);
            Assert.Equal(mean, s.Mean, 1e-6);
            Assert.Equal(Math.Sqrt(values.Average(v => (v - mean) * (v - mean))), s.Std, 1e-6);
            Assert.Equal(values.Min(), s.Min);
            Assert.Equal(values.Max(), s.Max);
            Assert.Equal(11, s.Histogram.BinEdges.Length);
            Assert.Equal(s.Count, s.Histogram.Counts.Sum());
            Assert.Equal(s.Min, s.Histogram.BinEdges[0]);
        }
        // ReLU layer: zeros from the dead units and the inactive halves fill the first bin.
        var relu = captured[1].Output.ToArray();
        Assert.True(stats[1].Histogram.Counts[0] >= relu.Count(v => v == 0));
        Assert.True(model.Training && model.NamedModules().All(m => !m.Module.HasHooks));
    }

    [Fact]
    public void ALayerOfConstantOutputGetsARangeAroundItsValue()
    {
        var model = new Sequential(Fixed(new float[,] { { 0, 0 } }, [3]), new ReLU());
        var stats = ActivationStats.Compute(model, [Tensor.Rand(new Generator(1), 8, 2)], bins: 4);
        Assert.Equal([2.5f, 2.75f, 3f, 3.25f, 3.5f], stats[1].Histogram.BinEdges);
        Assert.Equal([0L, 0, 8, 0], stats[1].Histogram.Counts);
        Assert.Equal(0.0, stats[1].DeadFraction);
        Assert.Equal(0.0, stats[1].Std);
    }

    [Fact]
    public void BadArgumentsGetOneClearError()
    {
        var model = Constructed();
        Assert.Contains("ActivationStats.Compute: no batches were given",
            Assert.Throws<ArgumentException>(() => ActivationStats.Compute(model, [])).Message);
        Assert.Contains("ActivationStats.Compute: bins must be at least 1, got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => ActivationStats.Compute(model, [Tensor.Ones(1, 2)], bins: 0)).Message);
        Assert.Contains("the model's first layer is a Linear with 2 input features, so it takes a batch [N, 2] or one sample [2]; got shape [4,3]",
            Assert.Throws<ArgumentException>(() => ActivationStats.Compute(model, [Tensor.Ones(4, 3)])).Message);
    }
}
