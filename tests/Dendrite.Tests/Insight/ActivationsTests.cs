using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

public class ActivationsTests
{
    [Fact]
    public void CaptureReturnsEveryLayersOutputInOrderAndLeavesNoHooks()
    {
        var model = Models.LeNet5(generator: new Generator(1));
        var x = Tensor.Rand(new Generator(2), 3, 1, 28, 28);
        var layers = Activations.Capture(model, x);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"], layers.Select(l => l.Name));
        Assert.Equal("[3,6,28,28] [3,6,28,28] [3,6,14,14] [3,16,10,10] [3,16,10,10] [3,16,5,5] [3,400] [3,120] [3,120] [3,84] [3,84] [3,10]",
            string.Join(" ", layers.Select(l => l.Output.Shape.ToString())));
        Assert.Same(model[3], layers[3].Module);
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Eval().Forward(x);
        Assert.Equal(expected.ToArray(), layers[^1].Output.ToArray());
        Assert.True(layers.All(l => l.Output.GradFn is null));
        Assert.True(model.NamedModules().All(m => !m.Module.HasHooks));

        var one = Activations.Capture(model, x[1]);
        Assert.Equal([6, 28, 28], one[0].Output.Shape.ToArray());
        Assert.Equal(layers[5].Output[1].ToArray(), one[5].Output.ToArray());
    }

    [Fact]
    public void CaptureRestoresTrainingModeAndNamesNestedLayers()
    {
        var model = new Sequential(new Sequential(new Linear(3, 4, generator: new Generator(3)), new Dropout(0.5f)), new Tanh());
        model.Train();
        ((Sequential)model[0])[1].Eval(); // a mixed state must come back exactly
        var layers = Activations.Capture(model, Tensor.Ones(3));
        Assert.Equal(["0.0", "0.1", "1"], layers.Select(l => l.Name));
        Assert.Equal(layers[0].Output.ToArray(), layers[1].Output.ToArray()); // dropout off while capturing
        Assert.True(model.Training && model[0].Training && ((Sequential)model[0])[0].Training && model[1].Training);
        Assert.False(((Sequential)model[0])[1].Training);
        Assert.Contains("the model's first layer is a Linear with 3 input features",
            Assert.Throws<ArgumentException>(() => Activations.Capture(model, Tensor.Ones(2, 5))).Message);
    }
}
