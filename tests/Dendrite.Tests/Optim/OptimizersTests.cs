using Dendrite.NN;
using Dendrite.Optim;

namespace Dendrite.Tests.Optim;

public class OptimizersTests
{
    private static Parameter[] Weights() => [new Parameter(Tensor.Ones(3))];

    [Fact]
    public void EveryNameBuildsItsOptimizerWithItsDefaultLearningRate()
    {
        Assert.Equal(["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"], Optimizers.Names);
        var expected = new Dictionary<string, (Type Type, float Lr)>
        {
            ["sgd"] = (typeof(Sgd), 0.05f),
            ["momentum"] = (typeof(Sgd), 0.05f),
            ["adam"] = (typeof(Adam), 1e-3f),
            ["adamw"] = (typeof(AdamW), 1e-3f),
            ["rmsprop"] = (typeof(RmsProp), 0.01f),
            ["adagrad"] = (typeof(Adagrad), 0.01f),
        };
        foreach (var name in Optimizers.Names)
        {
            var optimizer = Optimizers.Create(name, Weights());
            Assert.IsType(expected[name].Type, optimizer);
            Assert.Equal(expected[name].Lr, optimizer.LearningRate);
            Assert.Equal(expected[name].Lr, Optimizers.DefaultLearningRate(name));
        }
        Assert.Equal("0.05 for sgd/momentum, 0.001 for adam/adamw, 0.01 for rmsprop/adagrad", Optimizers.DefaultLearningRates());
    }

    [Fact]
    public void TheGivenLearningRateAndWeightDecayAreUsed()
    {
        var momentum = Assert.IsType<Sgd>(Optimizers.Create("momentum", Weights(), 0.2f, weightDecay: 1e-4f));
        Assert.Equal((0.2f, 0.9f, 1e-4f), (momentum.LearningRate, momentum.Momentum, momentum.WeightDecay));
        Assert.Equal(0f, Assert.IsType<Sgd>(Optimizers.Create("sgd", Weights())).Momentum);
        // AdamW's weight decay is the one given (0 by default here, not its constructor's 0.01).
        Assert.Equal(0f, Assert.IsType<AdamW>(Optimizers.Create("adamw", Weights())).WeightDecay);
        Assert.Equal(0.3f, Assert.IsType<AdamW>(Optimizers.Create("adamw", Weights(), weightDecay: 0.3f)).WeightDecay);
        Assert.Equal("SGD with momentum 0.9", Optimizers.Describe("momentum"));
        Assert.Null(Optimizers.Describe("adam"));
    }

    [Fact]
    public void AnUnknownNameListsTheKnownOnes()
    {
        var e = Assert.Throws<ArgumentException>(() => Optimizers.Create("lbfgs", Weights()));
        Assert.Contains("'lbfgs'", e.Message);
        Assert.Contains("sgd, momentum, adam, adamw, rmsprop, adagrad", e.Message);
        Assert.Throws<ArgumentException>(() => Optimizers.DefaultLearningRate("Adam"));
        Assert.Throws<ArgumentException>(() => Optimizers.Create("adam", Weights(), learningRate: -1f));
    }
}
