using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.NN;

/// <summary>Module bookkeeping exercised through the real layers: naming, state dicts, modes, counts, printing.</summary>
public class ModuleTests
{
    private sealed class Encoder : Module
    {
        public Encoder()
        {
            Body = RegisterModule("body", new Sequential(new Linear(4, 3, generator: new Generator(1)), new ReLU(),
                new Dropout(0.2f)));
            Head = RegisterModule("head", new Linear(3, 2, bias: false, generator: new Generator(2)));
        }

        public Sequential Body { get; }

        public Linear Head { get; }

        public override Tensor Forward(Tensor input) => Head.Forward(Body.Forward(input));
    }

    [Fact]
    public void SequentialNamesParametersByPosition()
    {
        var model = new Sequential(new Linear(2, 3), new Tanh(), new Linear(3, 1));
        Assert.Equal(["0.weight", "0.bias", "2.weight", "2.bias"], model.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void NestedModulesGetDottedNames()
    {
        var model = new Encoder();
        Assert.Equal(["body.0.weight", "body.0.bias", "head.weight"], model.NamedParameters().Select(p => p.Name));
        Assert.Equal(["", "body", "body.0", "body.1", "body.2", "head"], model.NamedModules().Select(m => m.Name));
        var outer = new Sequential(new Sequential(new Linear(1, 1)), new Encoder());
        Assert.Equal(["0.0.weight", "0.0.bias", "1.body.0.weight", "1.body.0.bias", "1.head.weight"],
            outer.NamedParameters().Select(p => p.Name));
    }

    [Fact]
    public void ParameterCountAddsWeightsAndBiases()
    {
        Assert.Equal(4 * 3 + 3 + 3 * 2, new Encoder().ParameterCount());
        Assert.Equal(5 * 7, new Linear(5, 7, bias: false).ParameterCount());
        Assert.Equal(3 * 4 * 2 + 4 * 2, new Maxout(3, 4, 2).ParameterCount());
        Assert.Equal(0, new FeatureMap(FeatureSet.All).ParameterCount());
    }

    [Fact]
    public void StateDictRoundTripsIntoAFreshModel()
    {
        var source = new Encoder();
        var copy = new Encoder();
        using (Dendrite.Autograd.GradMode.NoGrad()) copy.Head.Weight.Fill_(0f);
        copy.LoadStateDict(source.StateDict());
        foreach (var ((name, a), (_, b)) in source.NamedParameters().Zip(copy.NamedParameters()))
            Assert.True(a.ToArray().SequenceEqual(b.ToArray()), name);
        var x = Tensor.Randn(new Generator(4), 5, 4);
        source.Eval();
        copy.Eval();
        Assert.Equal(source.Forward(x).ToArray(), copy.Forward(x).ToArray());
    }

    [Fact]
    public void StateDictValuesAreCopiesNotAliasesAfterLoading()
    {
        var a = new Linear(2, 2, generator: new Generator(1));
        var b = new Linear(2, 2, generator: new Generator(2));
        b.LoadStateDict(a.StateDict());
        using (Dendrite.Autograd.GradMode.NoGrad()) a.Weight.Fill_(5f);
        Assert.DoesNotContain(5f, b.Weight.ToArray());
    }

    [Fact]
    public void StrictLoadListsMissingUnexpectedAndMisShapedEntries()
    {
        var model = new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2));
        var state = model.StateDict().ToDictionary(kv => kv.Key, kv => kv.Value);
        state.Remove("2.bias");
        state["0.weight"] = Tensor.Zeros(3, 5);
        state["1.weight"] = Tensor.Zeros(1);
        var before = model.StateDict()["2.weight"].ToArray();
        var error = Assert.Throws<ArgumentException>(() => model.LoadStateDict(state));
        Assert.Contains("Missing: 2.bias", error.Message);
        Assert.Contains("Unexpected: 1.weight", error.Message);
        Assert.Contains("0.weight: expected [3,4], got [3,5]", error.Message);
        Assert.Equal(before, model.StateDict()["2.weight"].ToArray()); // nothing was changed
    }

    [Fact]
    public void NonStrictLoadSkipsMissingButStillRejectsWrongShapes()
    {
        var model = new Linear(3, 2);
        model.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Ones(2, 3) }, strict: false);
        Assert.All(model.Weight.ToArray(), v => Assert.Equal(1f, v));
        Assert.Throws<ArgumentException>(() =>
            model.LoadStateDict(new Dictionary<string, Tensor> { ["bias"] = Tensor.Ones(3) }, strict: false));
    }

    [Fact]
    public void TrainAndEvalReachEveryDescendant()
    {
        var model = new Encoder();
        Assert.All(model.NamedModules(), m => Assert.True(m.Module.Training));
        model.Eval();
        Assert.All(model.NamedModules(), m => Assert.False(m.Module.Training, m.Name));
        model.Body.Train();
        Assert.False(model.Training);
        Assert.True(model.Body[2].Training);
        model.Train();
        Assert.All(model.NamedModules(), m => Assert.True(m.Module.Training, m.Name));
    }

    [Fact]
    public void EvalTurnsNestedDropoutIntoIdentity()
    {
        var model = new Sequential(new Sequential(new Dropout(0.5f, new Generator(3))));
        var x = Tensor.Ones(10, 10);
        Assert.Contains(0f, model.Forward(x).ToArray());
        model.Eval();
        Assert.Same(x, model.Forward(x));
    }

    [Fact]
    public void ZeroGradClearsLayerGradients()
    {
        var model = new Sequential(new Linear(3, 2), new Sigmoid());
        model.Forward(Tensor.Ones(4, 3)).Sum().Backward();
        Assert.Contains(model.Parameters(), p => p.Grad!.ToArray().Any(v => v != 0));
        model.ZeroGrad();
        Assert.All(model.Parameters(), p => Assert.All(p.Grad!.ToArray(), v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void PrintsLikePyTorch()
    {
        var model = new Sequential(new Flatten(), new Linear(4, 2), new LeakyReLU(0.2f), new Dropout(0.25f),
            new Linear(2, 1, bias: false), new Softmax(1), new Maxout(2, 3, 4), new FeatureMap(FeatureSet.X1 | FeatureSet.X1X2),
            new Step(), new Identity());
        Assert.Equal(
            "Sequential(\n" +
            "  (0): Flatten(start_dim=1, end_dim=-1)\n" +
            "  (1): Linear(in_features=4, out_features=2, bias=True)\n" +
            "  (2): LeakyReLU(negative_slope=0.2)\n" +
            "  (3): Dropout(p=0.25)\n" +
            "  (4): Linear(in_features=2, out_features=1, bias=False)\n" +
            "  (5): Softmax(dim=1)\n" +
            "  (6): Maxout(in_features=2, out_features=3, pieces=4, bias=True)\n" +
            "  (7): FeatureMap(features=[X1, X1X2])\n" +
            "  (8): Step()\n" +
            "  (9): Identity()\n" +
            ")", model.ToString());
        Assert.Equal("ReLU()", new ReLU().ToString());
        Assert.Equal("LeakyReLU(negative_slope=0.01)", new LeakyReLU().ToString());
        Assert.Equal("LogSoftmax(dim=-1)", new LogSoftmax(-1).ToString());
    }
}
