using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tests.Data;
using Dendrite.Training;

namespace Dendrite.Tests.Insight;

/// <summary>
/// A seeded LeNet-5 trained for two epochs of Adam on the 8,000 training digits of data/mnist-sample (a few
/// seconds), and the first 500 test digits: trained once and shared by the Insight tests of the collection.
/// </summary>
public sealed class TrainedLeNet
{
    public TrainedLeNet()
    {
        Model = Models.LeNet5(generator: new Generator(2014));
        var train = Mnist.Load(TestData.MnistSample, train: true);
        var trainer = new Trainer(Model, new CrossEntropyLoss(), new Adam(Model.Parameters(), lr: 1e-3f));
        trainer.Fit(new DataLoader(train, 64, shuffle: true, generator: new Generator(7)), epochs: 2);
        var test = Mnist.Load(TestData.MnistSample, train: false);
        Inputs = test.Inputs.Narrow(0, 0, 500).Contiguous();
        Labels = test.Targets.Narrow(0, 0, 500).Contiguous();
        Model.ZeroGrad();
    }

    public Sequential Model { get; }

    /// <summary>The first 500 test digits, [500, 1, 28, 28] in [0, 1].</summary>
    public Tensor Inputs { get; }

    /// <summary>Their classes, [500].</summary>
    public Tensor Labels { get; }

    /// <summary>The fraction of <paramref name="inputs"/> the model classifies as <see cref="Labels"/>.</summary>
    public float Accuracy(Tensor inputs)
    {
        var predicted = Dendrite.Insight.Adversarial.Predictions(Model, inputs);
        var labels = Labels.ToArray();
        return (float)predicted.Where((p, i) => p == (int)labels[i]).Count() / predicted.Length;
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedLeNetCollection : ICollectionFixture<TrainedLeNet>
{
    public const string Name = "trained LeNet-5";
}
