using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization;
using Dendrite.Serialization.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Tests.Serialization;

/// <summary>
/// Every registered layer type, through every road a layer travels: spec → module → spec, spec → ONNX →
/// ONNX Runtime. A new layer type fails <see cref="EveryLayerTypeHasASample"/> until it is given a sample
/// here, and then goes through all the rest.
/// </summary>
public class LayerRegistryTests
{
    /// <summary>One layer per type, with options away from their defaults, as a described layer writes them (defaults left out).</summary>
    public static TheoryData<string, int[], string> Samples => new()
    {
        { "adaptiveavgpool2d", [2, 6, 4], """{"type":"adaptiveavgpool2d","output_size":[3,2]}""" },
        { "avgpool2d", [2, 7, 6], """{"type":"avgpool2d","kernel_size":3,"stride":[2,1],"padding":1,"count_include_pad":false}""" },
        { "batchnorm1d", [3, 5], """{"type":"batchnorm1d","eps":0.001,"momentum":0.2,"affine":false}""" },
        { "batchnorm2d", [3, 4, 4], """{"type":"batchnorm2d","eps":0.01}""" },
        { "conv2d", [4, 9, 8], """{"type":"conv2d","out_channels":6,"kernel_size":[3,4],"padding":"same","dilation":[2,1],"groups":2,"bias":false}""" },
        { "dropout", [5], """{"type":"dropout","p":0.25}""" },
        { "featuremap", [2], """{"type":"featuremap","features":["x1","x1x2","sin_x2"]}""" },
        { "flatten", [2, 3, 4], """{"type":"flatten","start_dim":2}""" },
        { "identity", [3], """{"type":"identity"}""" },
        { "leakyrelu", [4], """{"type":"leakyrelu","negative_slope":0.2}""" },
        { "linear", [6], """{"type":"linear","out_features":3,"bias":false}""" },
        { "logsoftmax", [2, 3], """{"type":"logsoftmax","dim":1}""" },
        { "maxout", [6], """{"type":"maxout","out_features":2,"pieces":3}""" },
        { "maxpool2d", [2, 9, 8], """{"type":"maxpool2d","kernel_size":3,"stride":2,"padding":1,"dilation":[1,2]}""" },
        { "relu", [2, 3], """{"type":"relu"}""" },
        { "sigmoid", [3], """{"type":"sigmoid"}""" },
        { "softmax", [4], """{"type":"softmax","dim":1}""" },
        { "step", [3], """{"type":"step"}""" },
        { "tanh", [3], """{"type":"tanh"}""" },
    };

    private static ModelSpec Spec(int[] input, string layer) => ModelSpec.Parse($$"""{"input": [{{string.Join(", ", input)}}], "layers": [{{layer}}]}""");

    [Fact]
    public void EveryLayerTypeHasASample()
    {
        Assert.Equal(Samples.Select(row => (string)row[0]), ModelSpec.LayerTypes);
        Assert.Equal(ModelSpec.LayerTypes.Order(StringComparer.Ordinal), ModelSpec.LayerTypes);
        foreach (var type in LayerRegistry.Types)
        {
            Assert.Same(type, LayerRegistry.Find(type.Name));
            Assert.Equal(type.Options.Count, type.Options.Select(o => o.Name).Distinct().Count());
        }
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void SpecToModuleToSpecRoundTrips(string type, int[] input, string layer)
    {
        var spec = Spec(input, layer);
        var model = spec.Build(new Generator(1));
        var described = ModelSpec.FromModel(model, input);
        Assert.Equal(layer, described.Layers[0].ToString());
        Assert.Equal(spec.ToJson(), described.ToJson());
        Assert.Equal(type, LayerRegistry.Find(model[0])!.Name);
        Assert.Equal(model.ToString(), described.Build().ToString());

        // With only its required options, a layer is described with only those (the rest are defaults).
        var required = LayerRegistry.Find(type)!.Options.Where(o => o.Required).Select(o => o.Name).ToHashSet();
        var minimal = new ModelSpec(input, [new LayerSpec(type, spec.Layers[0].Options.Where(o => required.Contains(o.Key)).ToDictionary())]);
        Assert.Equal(minimal.ToJson(), ModelSpec.FromModel(minimal.Build(), input).ToJson());
    }

    [Theory]
    [MemberData(nameof(Samples))]
    public void EveryLayerTypeExportsToWhatOnnxRuntimeComputes(string type, int[] input, string layer)
    {
        var spec = Spec(input, layer);
        var model = spec.Build(new Generator(2));
        using (GradMode.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Randn(new Generator((ulong)(30 + i)), [8, .. input]) * 1.5f + 0.3f);
        model.Eval();
        var x = Tensor.Randn(new Generator(3), [3, .. input]);
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Forward(x);
        OnnxExportTests.AssertOnnxRuntimeAgrees(OnnxExporter.ToBytes(model, input), x, expected, 1e-5f, type);
    }

    [Fact]
    public void NestedSequentialsAreDescribedFlat()
    {
        var nested = new Sequential(new Sequential(new Linear(4, 3), new Tanh()), new Sequential(new Sequential(new Linear(3, 2))));
        var spec = ModelSpec.FromModel(nested, [4]);
        Assert.Equal("""{"input": [4], "layers": [{"type":"linear","out_features":3}, {"type":"tanh"}, {"type":"linear","out_features":2}]}""",
            spec.ToJson(indented: false));
        Assert.Equal([(nested[0] as Sequential)![0], (nested[0] as Sequential)![1], ((nested[1] as Sequential)![0] as Sequential)![0]],
            ModelSpec.Flatten(nested).Select(l => l.Module));
        Assert.Equal(["0.0.", "0.1.", "1.0.0."], ModelSpec.Flatten(nested).Select(l => l.Prefix));
    }
}
