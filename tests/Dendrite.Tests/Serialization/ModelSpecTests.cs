using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization;

namespace Dendrite.Tests.Serialization;

public class ModelSpecTests
{
    private const string LeNetJson = """
        {"input": [1, 28, 28], "layers": [
          {"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 2}, {"type": "relu"},
          {"type": "maxpool2d", "kernel_size": 2},
          {"type": "conv2d", "out_channels": 16, "kernel_size": 5}, {"type": "relu"}, {"type": "maxpool2d", "kernel_size": 2},
          {"type": "flatten"}, {"type": "linear", "out_features": 120}, {"type": "relu"},
          {"type": "linear", "out_features": 84}, {"type": "relu"}, {"type": "linear", "out_features": 10}]}
        """;

    private static void AssertSameState(Module expected, Module actual)
    {
        var a = expected.StateDict();
        var b = actual.StateDict();
        Assert.Equal(a.Keys, b.Keys);
        foreach (var (name, t) in a)
        {
            Assert.Equal(t.Shape, b[name].Shape);
            Assert.Equal(t.ToArray(), b[name].ToArray());
        }
    }

    [Fact]
    public void ParsedLeNetBuildsExactlyTheZooModel()
    {
        var spec = ModelSpec.Parse(LeNetJson);
        var built = spec.Build(new Generator(7));
        var zoo = Models.LeNet5(generator: new Generator(7));
        AssertSameState(zoo, built);
        Assert.Equal(zoo.ToString(), built.ToString());
        Assert.Equal(61706, built.ParameterCount());
        Assert.Equal("0.weight", built.NamedParameters().First().Name);
    }

    [Fact]
    public void NamedModelsMatchTheZoo()
    {
        AssertSameState(Models.LeNet5(generator: new Generator(3)), ModelSpec.FromName("lenet5").Build(new Generator(3)));
        AssertSameState(Models.LeNet1998(generator: new Generator(3)), ModelSpec.FromName("lenet1998").Build(new Generator(3)));
        Assert.Equal(Models.LeNet1998().ToString(), ModelSpec.FromName("lenet1998").Build().ToString());
        AssertSameState(Models.Mlp(784, [256, 128], 10, generator: new Generator(4)), ModelSpec.FromName("mlp:256,128").Build(new Generator(4)));
        var tanh = ModelSpec.FromName("mlp:16:tanh", inputs: 4, outputs: 3).Build(new Generator(5));
        AssertSameState(Models.Mlp(4, [16], 3, () => new Tanh(), new Generator(5)), tanh);
        Assert.IsType<Tanh>(tanh[1]);
        Assert.Equal(2, ModelSpec.FromName("lenet5", outputs: 2).Output[0]);
        Assert.Single(ModelSpec.FromName("mlp").Layers);
    }

    [Fact]
    public void PerceptronIsALinearUnitWithAStep()
    {
        var spec = ModelSpec.FromName("perceptron");
        Assert.Equal([2], spec.Input);
        var model = spec.Build(new Generator(1));
        Assert.IsType<Linear>(model[0]);
        Assert.IsType<Step>(model[1]);
        Assert.Equal([1], spec.Output);
        Assert.Equal([5], ModelSpec.FromName("perceptron", inputs: 5).Input);
        var y = model.Forward(Tensor.FromArray([1f, 2f, -3f, 0.5f], 2, 2)).ToArray();
        Assert.All(y, v => Assert.True(v is 0f or 1f));
    }

    [Theory]
    [InlineData("resnet50", "unknown model 'resnet50'")]
    [InlineData("mlp:256,x", "'x'")]
    [InlineData("mlp:256:swish", "unknown activation 'swish'")]
    [InlineData("mlp:0", "positive integers")]
    public void BadNamesAreExplained(string name, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.FromName(name));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void JsonRoundTrips()
    {
        var spec = ModelSpec.Parse(LeNetJson);
        string json = spec.ToJson();
        Assert.Contains("{\"type\":\"conv2d\",\"out_channels\":6,\"kernel_size\":5,\"padding\":2}", json);
        var again = ModelSpec.Parse(json);
        Assert.Equal(json, again.ToJson());
        Assert.Equal(spec.ToJson(false), ModelSpec.Parse(spec.ToJson(false)).ToJson(false));
        foreach (var name in new[] { "perceptron", "mlp:8,4:sigmoid", "lenet5", "lenet1998" })
        {
            var named = ModelSpec.FromName(name);
            Assert.Equal(named.ToJson(), ModelSpec.Parse(named.ToJson()).ToJson());
        }
    }

    [Fact]
    public void InferShapesGivesShapesParametersAndMultiplyAdds()
    {
        var infos = ModelSpec.Parse(LeNetJson).InferShapes();
        Assert.Equal(12, infos.Count);
        Assert.Equal([6, 28, 28], infos[0].OutputShape);
        Assert.Equal(6 * 25 + 6, infos[0].Parameters);
        Assert.Equal(6L * 25 * 28 * 28, infos[0].MultiplyAdds);
        Assert.Equal([6, 14, 14], infos[2].OutputShape);
        Assert.Equal([16, 10, 10], infos[3].OutputShape);
        Assert.Equal(16L * 6 * 25 * 100, infos[3].MultiplyAdds);
        Assert.Equal([400], infos[6].OutputShape);
        Assert.Equal([16, 5, 5], infos[6].InputShape);
        Assert.Equal(400 * 120 + 120, infos[7].Parameters);
        Assert.Equal(61706, infos.Sum(i => i.Parameters));
        Assert.Equal("maxpool2d", infos[5].Type);
    }

    [Fact]
    public void EveryLayerTypeBuildsAndTheInferredShapesMatchForward()
    {
        const string json = """
            {"input": [3, 12, 12], "layers": [
              {"type": "conv2d", "out_channels": 4, "kernel_size": [3, 5], "stride": 1, "padding": "same", "dilation": [1, 2], "groups": 1, "bias": false},
              {"type": "BatchNorm2d", "eps": 0.001, "momentum": 0.2},
              {"type": "leaky_relu", "negative_slope": 0.2},
              {"type": "conv2d", "out_channels": 8, "kernel_size": 3, "stride": 2, "padding": [1, 0], "groups": 4},
              {"type": "maxpool2d", "kernel_size": 2, "stride": 1, "padding": 1, "dilation": 1},
              {"type": "avgpool2d", "kernel_size": [2, 2], "stride": [2, 1], "padding": 0, "count_include_pad": false},
              {"type": "adaptiveavgpool2d", "output_size": [2, 3]},
              {"type": "flatten", "start_dim": 2},
              {"type": "batchnorm1d"},
              {"type": "flatten"},
              {"type": "dropout", "p": 0.25},
              {"type": "linear", "out_features": 10, "bias": true},
              {"type": "sigmoid"}, {"type": "tanh"}, {"type": "identity"}, {"type": "relu"},
              {"type": "maxout", "out_features": 5, "pieces": 3},
              {"type": "linear", "out_features": 2},
              {"type": "featuremap", "features": ["x1", "x2", "x1x2", "sin_x1"]},
              {"type": "softmax", "dim": 1}, {"type": "logsoftmax"}, {"type": "step"}]}
            """;
        var spec = ModelSpec.Parse(json);
        var model = spec.Build(new Generator(11));
        model.Eval();
        Assert.Equal(spec.Layers.Count, model.Count);
        var x = Tensor.Randn(new Generator(2), 2, 3, 12, 12);
        foreach (var info in spec.InferShapes())
        {
            x = model[info.Index].Forward(x);
            Assert.Equal(info.OutputShape, x.Shape.ToArray()[1..]);
            Assert.Equal(info.Parameters, model[info.Index].ParameterCount());
        }
        Assert.Equal([4], spec.Output);
        Assert.IsType<LeakyReLU>(model[2]);
        Assert.Equal(0.2f, ((LeakyReLU)model[2]).NegativeSlope);
        Assert.Equal(4, ((Conv2d)model[3]).Groups);
        Assert.Equal(0.001f, ((BatchNorm2d)model[1]).Eps);
        Assert.Equal(0.25f, ((Dropout)model[10]).P);
        Assert.Equal(FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2 | FeatureSet.SinX1, ((FeatureMap)model[18]).Features);
    }

    [Theory]
    [InlineData("""{"input": [1, 28, 28], "layers": [{"type": "conv2d", "out_channels": 16, "kernel_size": 5}, {"type": "maxpool2d", "kernel_size": 4}, {"type": "linear", "out_features": 10}]}""",
        "layer 2 (linear): expected input of rank 1 (features), got [16, 6, 6]; add a flatten layer")]
    [InlineData("""{"input": [1, 4, 4], "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": 5}]}""",
        "layer 0 (conv2d): input [1, 4, 4] is too small for kernel 5")]
    [InlineData("""{"input": [784], "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": 3}]}""",
        "layer 0 (conv2d): expected input of rank 3 (channels, height, width), got [784]")]
    [InlineData("""{"input": [3, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel_size": 3, "groups": 2}]}""",
        "layer 0 (conv2d): groups=2 must divide both the 3 input channels")]
    [InlineData("""{"input": [3, 8, 8], "layers": [{"type": "conv2d", "out_channels": 4, "kernel_size": 3, "stride": 2, "padding": "same"}]}""",
        "padding \"same\" needs stride 1")]
    [InlineData("""{"input": [3, 8, 8], "layers": [{"type": "maxpool2d", "kernel_size": 2, "padding": 2}]}""",
        "layer 0 (maxpool2d): padding 2 must be at most half the kernel size 2")]
    [InlineData("""{"input": [3, 1, 1], "layers": [{"type": "avgpool2d", "kernel_size": 2}]}""", "layer 0 (avgpool2d): input [3, 1, 1] is too small")]
    [InlineData("""{"input": [10], "layers": [{"type": "batchnorm2d"}]}""", "layer 0 (batchnorm2d): expected input of rank 3")]
    [InlineData("""{"input": [3], "layers": [{"type": "featuremap", "features": "all"}]}""", "layer 0 (featuremap): expected input [2]")]
    [InlineData("""{"input": [3], "layers": [{"type": "softmax", "dim": 2}]}""", "layer 0 (softmax): dim 2 is out of range")]
    [InlineData("""{"input": [3, 4], "layers": [{"type": "flatten", "start_dim": 0}]}""", "layer 0 (flatten): start_dim must not be the batch axis")]
    [InlineData("""{"input": [3], "layers": [{"type": "relu"}, {"type": "transformer"}]}""", "layer 1: unknown layer type 'transformer'")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear", "out_features": 2, "in_features": 3}]}""",
        "layer 0 (linear): unknown option 'in_features' (known: out_features, bias)")]
    [InlineData("""{"input": [3], "layers": [{"type": "relu", "inplace": true}]}""", "layer 0 (relu): unknown option 'inplace' (relu takes no options)")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear", "out_features": "2"}]}""",
        "layer 0 (linear): option 'out_features' must be a positive integer, got \"2\"")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear", "out_features": 2.5}]}""", "option 'out_features' must be a positive integer, got 2.5")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear"}]}""", "layer 0 (linear): missing option 'out_features'")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear", "out_features": 2, "bias": "yes"}]}""", "option 'bias' must be true or false")]
    [InlineData("""{"input": [1, 9, 9], "layers": [{"type": "conv2d", "out_channels": 2, "kernel_size": [3, 3, 3]}]}""",
        "option 'kernel_size' must be a positive integer or a [height, width] pair, got [3, 3, 3]")]
    [InlineData("""{"input": [3], "layers": [{"type": "dropout", "p": 1}]}""", "layer 0 (dropout): p is the probability of zeroing an element and must lie in [0, 1), got 1")]
    [InlineData("""{"input": [2], "layers": [{"type": "featuremap", "features": ["x3"]}]}""", "option 'features' must be")]
    [InlineData("""{"input": [3], "layers": [{"out_features": 2}]}""", "layer 0: missing \"type\"")]
    [InlineData("""{"input": [0, 3], "layers": []}""", "\"input\" sizes must be positive integers")]
    [InlineData("""{"input": [3]}""", "\"layers\" must be a list")]
    [InlineData("""{"input": [3], "layers": [], "input": [4]}""", "model spec: \"input\" is given twice")]
    [InlineData("""{"input": [3], "layers": [{"type": "relu"}], "layers": []}""", "model spec: \"layers\" is given twice")]
    [InlineData("""{"input": [3], "layers": [{"type": "relu", "type": "tanh"}]}""", "layer 0: \"type\" is given twice")]
    [InlineData("""{"input": [3], "layers": [], "optimizer": "sgd"}""", "unknown key \"optimizer\"")]
    [InlineData("""{"input": [3], "layers": [""", "invalid JSON")]
    [InlineData("""[1, 2]""", "expected a JSON object")]
    [InlineData("""{"input": [3], "layers": [{"type": "linear", "out_features": 2, "\ud800": 1}]}""", "a string holds a \\u escape that is not valid UTF-16 text")]
    [InlineData("""{"input": [3], "layers": [{"type": "\uDE22"}]}""", "not valid UTF-16 text")]
    public void BadSpecsFailBeforeBuildingWithTheLayerAndShapes(string json, string message)
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(json));
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void SpecsCanBeMadeInCode()
    {
        var spec = new ModelSpec([4], [LayerSpec.Of("linear", ("out_features", 3), ("bias", false)), LayerSpec.Of("softmax", ("dim", -1))]);
        Assert.Equal("""{"input": [4], "layers": [{"type":"linear","out_features":3,"bias":false}, {"type":"softmax","dim":-1}]}""", spec.ToJson(false));
        var model = spec.Build();
        Assert.Null(((Linear)model[0]).Bias);
        Assert.Throws<ModelSpecException>(() => new ModelSpec([4], [LayerSpec.Of("linear", ("out_features", -3))]));
    }
}
