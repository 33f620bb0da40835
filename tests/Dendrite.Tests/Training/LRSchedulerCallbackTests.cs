using Dendrite.Data;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;
using Dendrite.Training;
using Dendrite.Training.Callbacks;

namespace Dendrite.Tests.Training;

public class LRSchedulerCallbackTests
{
    private static (Trainer Trainer, Optimizer Optimizer, DataLoader Data) Setup()
    {
        var g = new Generator(2);
        var model = new TinyLinear(3, 1, g);
        var optimizer = new Sgd(model.Parameters(), 0.1f);
        var data = new DataLoader(new TensorDataset(Tensor.Rand(g, 8, 3), Tensor.Rand(g, 8, 1)), 4);
        return (new Trainer(model, new MseLoss(), optimizer), optimizer, data);
    }

    [Fact]
    public void StepsTheSchedulerOncePerEpoch()
    {
        var (trainer, optimizer, data) = Setup();
        trainer.Fit(data, 3, callbacks: [new LRSchedulerCallback(new StepLR(optimizer, stepSize: 1, gamma: 0.5f))]);
        Assert.Equal(0.1f * 0.125f, optimizer.LearningRate, 6);
    }

    [Fact]
    public void PlateauNeedsItsMonitoredValue()
    {
        var (trainer, optimizer, data) = Setup();
        var callback = new LRSchedulerCallback(new ReduceLROnPlateau(optimizer));
        var e = Assert.Throws<InvalidOperationException>(() => trainer.Fit(data, 1, callbacks: [callback]));
        Assert.Contains("val_loss", e.Message);
        trainer.Fit(data, 2, validation: data, callbacks: [callback]);
    }
}
