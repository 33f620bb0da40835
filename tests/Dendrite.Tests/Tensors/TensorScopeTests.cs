using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;

namespace Dendrite.Tests.Tensors;

public class TensorScopeTests
{
    [Fact]
    public void IntermediatesAreReleasedAndFailClearlyAfterTheScope()
    {
        Tensor inside, kept;
        using (var scope = new TensorScope())
        {
            inside = Tensor.Ones(3) * 2f;
            kept = scope.Keep(Tensor.Ones(2) + 1f);
            var view = kept.Reshape(2, 1); // views share the kept memory
            Assert.Equal([2f, 2f], view.ToArray());
        }
        var e = Assert.Throws<ObjectDisposedException>(() => inside.ToArray());
        Assert.Contains("TensorScope", e.Message);
        Assert.Equal([2f, 2f], kept.ToArray());
    }

    [Fact]
    public void ParametersLeafGradientsAndBuffersOutliveTheScope()
    {
        Linear layer;
        BatchNorm1d norm;
        using (new TensorScope())
        {
            layer = new Linear(3, 2);
            norm = new BatchNorm1d(2);
            norm.Forward(layer.Forward(Tensor.Ones(4, 3)) * Tensor.Arange(4).Reshape(4, 1)).Sum().Backward();
        }
        Assert.Equal(new[] { 2, 3 }, layer.Weight.Grad!.Shape.ToArray());
        Assert.Equal(6, layer.Weight.ToArray().Length);
        Assert.Equal(2, norm.RunningMean!.ToArray().Length);
        Assert.NotEqual(0f, norm.NumBatchesTracked!.Item());
    }

    [Fact]
    public void ScopesNestAndKeepMovesToTheParent()
    {
        Tensor moved;
        using (var outer = new TensorScope())
        {
            using (var inner = new TensorScope())
                moved = inner.Keep(Tensor.Full([2], 5f));
            Assert.Equal([5f, 5f], moved.ToArray()); // now owned by the outer scope
        }
        Assert.Throws<ObjectDisposedException>(() => moved.ToArray());
    }

    [Fact]
    public void ATrainingStepReusesItsBuffersInSteadyState()
    {
        var g = new Generator(3);
        var model = Models.Mlp(100, [64], 10, generator: g);
        var x = Tensor.Rand(g, 32, 100);
        var y = Tensor.RandInt(0, 10, [32], g);
        var loss = new CrossEntropyLoss();
        var optimizer = new Sgd(model.Parameters(), 0.1f, momentum: 0.9f);
        void Step()
        {
            using var scope = new TensorScope();
            optimizer.ZeroGrad();
            loss.Forward(model.Forward(x), y).Backward();
            optimizer.Step();
        }
        for (int i = 0; i < 3; i++) Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10; i++) Step();
        long perStep = (GC.GetAllocatedBytesForCurrentThread() - before) / 10;
        // Without the pool a step allocates its activations and gradients: the 32×64 and 64×100 arrays
        // alone are over 30 KB. With it only small bookkeeping objects remain.
        Assert.True(perStep < 30_000, $"{perStep} bytes per step");
    }

    [Fact]
    public void DisposingOutOfOrderIsAnError()
    {
        var outer = new TensorScope();
        var inner = new TensorScope();
        Assert.Throws<InvalidOperationException>(() => outer.Dispose());
        inner.Dispose();
        outer.Dispose();
    }

    [Fact]
    public void ALoaderOverANonContiguousDatasetSurvivesPerStepScopes()
    {
        // The Trainer opens each step's scope before asking for the batch; the loader's per-epoch copy of a
        // strided dataset must outlive that first step.
        var g = new Generator(6);
        var inputs = Tensor.Rand(g, 3, 40).T; // [40, 3], not contiguous
        var data = new Dendrite.Data.TensorDataset(inputs, Tensor.Rand(g, 40, 1));
        var loader = new Dendrite.Data.DataLoader(data, 8, shuffle: true, generator: g);
        var model = new Linear(3, 1, generator: g);
        var trainer = new Dendrite.Training.Trainer(model, new MseLoss(), new Sgd(model.Parameters(), 0.1f));
        var history = trainer.Fit(loader, 2);
        Assert.Equal(2, history.Count);
    }
}
