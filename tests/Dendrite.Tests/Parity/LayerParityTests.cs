using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Parity;

/// <summary>
/// The layers, activations and init helpers against PyTorch (fixture written by tools/parity/layers.py):
/// outputs, input gradients and weight gradients for a fixed upstream gradient, within 1e-5 relative.
/// </summary>
public class LayerParityTests
{
    private const string File = "layers.json";

    public static IEnumerable<object[]> Cases => ParityFixture.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ParityFixture.Load(File)[name];
        switch (c.Text("kind"))
        {
            case "linear":
                {
                    var layer = new Linear((int)c.Number("in_features"), (int)c.Number("out_features"), c.Attr("bias").GetBoolean());
                    CheckLayer(c, layer, layer.Weight, layer.Bias);
                    break;
                }
            case "maxout":
                {
                    var layer = new Maxout((int)c.Number("in_features"), (int)c.Number("out_features"), (int)c.Number("pieces"),
                        c.Attr("bias").GetBoolean());
                    CheckLayer(c, layer, layer.Weight, layer.Bias);
                    break;
                }
            case "activation":
                CheckLayer(c, Activation(c), null, null);
                break;
            case "flatten":
                CheckLayer(c, new Flatten((int)c.Number("start"), (int)c.Number("end")), null, null);
                break;
            case "feature_map":
                {
                    var features = c.Attr("features").EnumerateArray()
                        .Aggregate(FeatureSet.None, (set, f) => set | Enum.Parse<FeatureSet>(f.GetString()!));
                    var layer = new FeatureMap(features);
                    Assert.Equal(c.Attr("features").GetArrayLength(), layer.OutFeatures);
                    CheckLayer(c, layer, null, null);
                    break;
                }
            case "step":
                ParityAssert.Close(c.Tensor("output"), new Step().Forward(c.Tensor("input")), $"{name} output");
                break;
            case "fan":
                {
                    var shape = c.Attr("shape").EnumerateArray().Select(d => d.GetInt32()).ToArray();
                    var (fanIn, fanOut) = Init.CalculateFanInAndFanOut(Tensor.Zeros(shape));
                    Assert.Equal((int)c.Number("fan_in"), fanIn);
                    Assert.Equal((int)c.Number("fan_out"), fanOut);
                    break;
                }
            case "gain":
                {
                    float? param = c.HasAttr("param") ? (float)c.Number("param") : null;
                    float gain = Init.CalculateGain(c.Text("nonlinearity"), param);
                    ParityAssert.Close(Tensor.Scalar((float)c.Number("gain")), Tensor.Scalar(gain), $"{name}");
                    break;
                }
            case "init_bound":
                {
                    // PyTorch's own draws reach close to the bound; ours must stay inside it and reach as close.
                    var layer = new Linear((int)c.Number("in_features"), (int)c.Number("out_features"), generator: new Generator(3));
                    double bound = c.Number("bound");
                    float wMax = layer.Weight.Abs().Max().Item(), bMax = layer.Bias!.Abs().Max().Item();
                    Assert.InRange(c.Number("weight_max"), 0.95 * bound, bound);
                    Assert.InRange(wMax, 0.95 * bound, bound);
                    Assert.InRange(bMax, 0.9 * bound, bound);
                    break;
                }
            default:
                Assert.Fail($"{name}: unknown kind '{c.Text("kind")}'");
                break;
        }
    }

    private static Module Activation(ParityCase c) => c.Text("activation") switch
    {
        "identity" => new Identity(),
        "sigmoid" => new Sigmoid(),
        "tanh" => new Tanh(),
        "relu" => new ReLU(),
        "leaky_relu" => new LeakyReLU((float)c.Number("slope")),
        "softmax" => new Softmax((int)c.Number("axis")),
        "log_softmax" => new LogSoftmax((int)c.Number("axis")),
        var other => throw new ArgumentException($"unknown activation {other}"),
    };

    private static void CheckLayer(ParityCase c, Module layer, Parameter? weight, Parameter? bias)
    {
        if (weight is not null)
        {
            var state = new Dictionary<string, Tensor> { ["weight"] = c.Tensor("weight") };
            if (c.Has("bias")) state["bias"] = c.Tensor("bias");
            layer.LoadStateDict(state);
        }
        var x = c.Tensor("input").RequiresGrad_();
        var y = layer.Forward(x);
        ParityAssert.Close(c.Tensor("output"), y, $"{c.Name} output");
        y.Backward(c.Tensor("upstream"));
        ParityAssert.Close(c.Tensor("input_grad"), x.Grad!, $"{c.Name} input gradient");
        if (weight is not null) ParityAssert.Close(c.Tensor("weight_grad"), weight.Grad!, $"{c.Name} weight gradient");
        if (bias is not null) ParityAssert.Close(c.Tensor("bias_grad"), bias.Grad!, $"{c.Name} bias gradient");
        Assert.Equal(c.Has("bias"), bias is not null);
    }
}
