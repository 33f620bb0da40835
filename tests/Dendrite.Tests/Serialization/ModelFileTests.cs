using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization;

namespace Dendrite.Tests.Serialization;

public sealed class ModelFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("dendrite-mf-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>
    /// The fixtures are PyTorch nn.Sequential state dicts written by tools/serialization/safetensors_fixtures.py
    /// (a hand-written safetensors writer, num_batches_tracked as I64), with the spec in the metadata.
    /// Loading them and running PyTorch's input must give PyTorch's output.
    /// </summary>
    [Theory]
    [InlineData("lenet5")]
    [InlineData("mlp")]
    [InlineData("bnnet")]
    public void LoadsPyTorchStateDictsAndMatchesPyTorchOutputs(string name)
    {
        var (model, spec, facts) = ModelFile.Load(SafeTensorsTests.Fixture(name + ".safetensors"));
        Assert.False(model.Training);
        Assert.Equal("0", facts["epochs"]);
        var (io, _) = SafeTensors.Load(SafeTensorsTests.Fixture(name + ".io.safetensors"));
        Tensor output;
        using (GradMode.NoGrad()) output = model.Forward(io["input"]);
        Assert.Equal(io["output"].Shape, output.Shape);
        float[] expected = io["output"].ToArray(), actual = output.ToArray();
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4f, $"{name}[{i}]: {expected[i]} vs {actual[i]}");
        Assert.Equal(spec.Layers.Count, model.Count);
    }

    [Fact]
    public void ThePyTorchSpecIsTheZooModelForLeNet()
    {
        var (model, spec, _) = ModelFile.Load(SafeTensorsTests.Fixture("lenet5.safetensors"));
        Assert.Equal(ModelSpec.FromName("lenet5").ToJson(), spec.ToJson());
        Assert.Equal(Models.LeNet5().ToString(), model.ToString());
        var (bn, _, _) = ModelFile.Load(SafeTensorsTests.Fixture("bnnet.safetensors"));
        Assert.Equal(3f, ((BatchNorm2d)bn[1]).NumBatchesTracked!.Item()); // read from PyTorch's I64
    }

    [Fact]
    public void RoundTripsModelSpecAndFacts()
    {
        var spec = ModelSpec.Parse("""
            {"input": [2, 6, 6], "layers": [{"type": "conv2d", "out_channels": 3, "kernel_size": 3}, {"type": "batchnorm2d"},
              {"type": "relu"}, {"type": "flatten"}, {"type": "dropout", "p": 0.1}, {"type": "linear", "out_features": 4}]}
            """);
        var model = spec.Build(new Generator(9));
        // Train-mode passes move the batch-norm statistics so the buffers are worth saving.
        using (GradMode.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Randn(new Generator((ulong)i), 8, 2, 6, 6));
        model.Eval();
        string path = Path.Combine(dir, "m.safetensors");
        ModelFile.Save(path, model, spec, new Dictionary<string, string> { ["epochs"] = "3", ["accuracy"] = "0.97", ["date"] = "2025-01-01" });

        var (loaded, loadedSpec, facts) = ModelFile.Load(path);
        Assert.Equal(spec.ToJson(), loadedSpec.ToJson());
        Assert.Equal("3", facts["epochs"]);
        Assert.Equal("0.97", facts["accuracy"]);
        Assert.Equal(ModelFile.DendriteVersion, facts[ModelFile.VersionKey]);
        Assert.False(facts.ContainsKey(ModelFile.SpecKey));
        foreach (var (name, t) in model.StateDict()) Assert.Equal(t.ToArray(), loaded.StateDict()[name].ToArray());
        var x = Tensor.Randn(new Generator(5), 3, 2, 6, 6);
        using (GradMode.NoGrad()) Assert.Equal(model.Forward(x).ToArray(), loaded.Forward(x).ToArray());

        // PyTorch's dtype for the counter: I64, and the raw header says so.
        byte[] bytes = File.ReadAllBytes(path);
        string header = System.Text.Encoding.UTF8.GetString(bytes, 8, (int)BitConverter.ToUInt64(bytes));
        Assert.Contains("\"1.num_batches_tracked\":{\"dtype\":\"I64\",\"shape\":[]", header);
        Assert.Equal(2f, loaded.StateDict()["1.num_batches_tracked"].Item());
    }

    [Fact]
    public void TensorsThatDoNotFitTheSpecAreNamed()
    {
        var spec = ModelSpec.FromName("mlp:8", inputs: 4, outputs: 2);
        var state = spec.Build(new Generator(1)).StateDict().ToDictionary(s => s.Key, s => s.Value);
        state.Remove("2.bias");
        state["0.weight"] = Tensor.Zeros(8, 5);
        state["9.extra"] = Tensor.Zeros(1);
        string path = Path.Combine(dir, "bad.safetensors");
        SafeTensors.Save(path, state, new Dictionary<string, string> { [ModelFile.SpecKey] = spec.ToJson() });
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("Missing: 2.bias.", e.Message);
        Assert.Contains("Unexpected: 9.extra.", e.Message);
        Assert.Contains("0.weight: spec needs [8,4], got [8,5]", e.Message);

        SafeTensors.Save(path, state);
        Assert.Contains("not a Dendrite model file", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);

        SafeTensors.Save(path, state, new Dictionary<string, string> { [ModelFile.SpecKey] = """{"input": [4], "layers": [{"type": "lstm"}]}""" });
        Assert.Contains("unknown layer type 'lstm'", Assert.Throws<InvalidDataException>(() => ModelFile.Load(path)).Message);

        // Saving a model under a spec it was not built from fails before writing.
        string other = Path.Combine(dir, "other.safetensors");
        Assert.Throws<ArgumentException>(() => ModelFile.Save(other, ModelSpec.FromName("mlp:9", 4, 2).Build(), spec));
        Assert.False(File.Exists(other));
    }
}
