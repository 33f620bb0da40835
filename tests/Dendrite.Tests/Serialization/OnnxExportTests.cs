using System.Diagnostics;
using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization;
using Dendrite.Serialization.Onnx;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Dendrite.Tests.Serialization;

public sealed class OnnxExportTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("dendrite-onnx-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ProtoWriterEncodesTheWireFormat()
    {
        // Protobuf's documented example: field 1 = 150 is 08 96 01.
        Assert.Equal(new byte[] { 0x08, 0x96, 0x01 }, new ProtoWriter().Int64(1, 150).ToArray());
        // Negative int64: ten bytes of two's complement.
        Assert.Equal(new byte[] { 0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, new ProtoWriter().Int64(3, -1).ToArray());
        // String field 2 "ab": tag 0x12, length, bytes.
        Assert.Equal(new byte[] { 0x12, 0x02, 0x61, 0x62 }, new ProtoWriter().String(2, "ab").ToArray());
        // Fixed32 float field 2 = 1.0f: tag 0x15, little-endian IEEE.
        Assert.Equal(new byte[] { 0x15, 0x00, 0x00, 0x80, 0x3F }, new ProtoWriter().Float(2, 1f).ToArray());
        // Nested message 7 { 1: 2 }: tag 0x3A, length 2, contents.
        Assert.Equal(new byte[] { 0x3A, 0x02, 0x08, 0x02 }, new ProtoWriter().Message(7, m => m.Int64(1, 2)).ToArray());
        // Packed floats and int64s: one length-delimited run.
        Assert.Equal(new byte[] { 0x22, 0x08, 0, 0, 0x80, 0x3F, 0, 0, 0, 0x40 }, new ProtoWriter().PackedFloats(4, [1f, 2f]).ToArray());
        Assert.Equal(new byte[] { 0x0A, 0x03, 0x01, 0xAC, 0x02 }, new ProtoWriter().PackedInt64s(1, [1, 300]).ToArray());
        // A message longer than 127 bytes gets a two-byte length.
        var big = new ProtoWriter().Message(1, m => m.Bytes(2, new byte[200])).ToArray();
        Assert.Equal(new byte[] { 0x0A, 0xCB, 0x01, 0x12, 0xC8, 0x01 }, big[..6]);
        Assert.Equal(206, big.Length);
    }

    [Fact]
    public void ModelHeaderCarriesIrVersionOpsetAndProducer()
    {
        var spec = ModelSpec.FromName("perceptron");
        byte[] bytes = OnnxExporter.ToBytes(spec.Build(new Generator(1)), spec);
        Assert.Equal(new byte[] { 0x08, OnnxExporter.IrVersion, 0x12, 0x08 }, bytes[..4]);
        Assert.Equal("Dendrite", System.Text.Encoding.ASCII.GetString(bytes, 4, 8));
        // The file ends with opset_import (field 8) { version (field 2) = 13 }.
        Assert.Equal(new byte[] { 0x42, 0x04, 0x0A, 0x00, 0x10, OnnxExporter.Opset }, bytes[^6..]);
    }

    [Fact]
    public void AllSevenPlaneFeaturesExportToWhatOnnxRuntimeComputes()
    {
        var model = new Sequential(new FeatureMap(FeatureSet.All), new Linear(7, 3, generator: new Generator(4)));
        var x = Tensor.Randn(new Generator(5), [6, 2]) * 3;
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Forward(x);
        AssertOnnxRuntimeAgrees(OnnxExporter.ToBytes(model, [2]), x, expected, 1e-5f, "featuremap");
    }

    [Fact]
    public void UnsupportedLayersAndMismatchedModelsAreNamed()
    {
        var adaptive = ModelSpec.Parse("""{"input": [1, 5, 5], "layers": [{"type": "adaptiveavgpool2d", "output_size": 2}]}""");
        Assert.Contains("layer 0 (adaptiveavgpool2d): output size (2, 2) from input [1, 5, 5] has uneven windows",
            Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(adaptive.Build(), adaptive)).Message);

        var noStats = ModelSpec.Parse("""{"input": [3], "layers": [{"type": "batchnorm1d", "track_running_stats": false}]}""");
        Assert.Contains("layer 0 (batchnorm1d)", Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(noStats.Build(), noStats)).Message);

        var spec = ModelSpec.FromName("mlp:4", inputs: 3, outputs: 2);
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(ModelSpec.FromName("mlp:4:tanh", 3, 2).Build(), spec));
        Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(ModelSpec.FromName("mlp", 3, 2).Build(), spec));
        Assert.False(File.Exists(Path.Combine(dir, "x.onnx")));
    }

    [Fact]
    public void ASequentialBuiltInCodeExportsAndRunsInOnnxRuntime()
    {
        var g = new Generator(5);
        // "same" with an even kernel pads one column more on the right than on the left; a nested Sequential
        // keeps its state-dict names ("3.1.weight").
        var model = new Sequential(
            new Conv2d(3, 8, (3, 4), padding: Padding2d.Same, dilation: (2, 1), generator: g),
            new BatchNorm2d(8),
            new MaxPool2d(3, stride: 2, padding: 1),
            new Sequential(new Flatten(), new Linear(8 * 5 * 5, 10, generator: g)),
            new LeakyReLU(0.1f),
            new Softmax(1));
        var conv = (Conv2d)model[0];
        Assert.Equal(new Pads2d(2, 1, 2, 2), conv.Pads);
        Assert.Equal(new Pads2d(1, 1, 1, 1), ((MaxPool2d)model[2]).Pads);
        using (GradMode.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Randn(new Generator((ulong)(20 + i)), 8, 3, 9, 10) * 2f + 0.5f);
        model.Eval();
        var input = Tensor.Randn(new Generator(8), 4, 3, 9, 10);
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Forward(input);

        byte[] onnx = OnnxExporter.ToBytes(model, [3, 9, 10]);
        Assert.Contains("3.1.weight", System.Text.Encoding.ASCII.GetString(onnx));
        AssertOnnxRuntimeAgrees(onnx, input, expected, 1e-5f, "code-built");
        string path = Path.Combine(dir, "code.onnx");
        OnnxExporter.Export(model, [3, 9, 10], path);
        Assert.Equal(onnx, File.ReadAllBytes(path));

        // A lone layer exports too, its initializers named as its own state dict names them.
        var linear = new Linear(3, 2, generator: g);
        var x = Tensor.Randn(g, 5, 3);
        Assert.Contains("weight", System.Text.Encoding.ASCII.GetString(OnnxExporter.ToBytes(linear, [3])));
        using (GradMode.NoGrad()) AssertOnnxRuntimeAgrees(OnnxExporter.ToBytes(linear, [3]), x, linear.Forward(x), 1e-5f, "lone-linear");
    }

    [Fact]
    public void ModulesThatDoNotFitTheInputOrHaveNoLayerTypeAreNamed()
    {
        var misfit = new Sequential(new Linear(4, 3), new ReLU(), new Linear(5, 2));
        Assert.Contains("layer 2 (linear): the Linear was built for 5 input features or channels, but the input reaching it is [3]",
            Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(misfit, [4])).Message);
        Assert.Contains("layer 0 (conv2d): expected input of rank 3 (channels, height, width), got [4]",
            Assert.Throws<ArgumentException>(() => OnnxExporter.ToBytes(new Conv2d(1, 2, 3), [4])).Message);
        Assert.Contains("layer 1 is a Custom, which no spec layer type describes",
            Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(new Sequential(new ReLU(), new Custom()), [4])).Message);
    }

    private sealed class Custom : Module
    {
        public override Tensor Forward(Tensor input) => input;
    }

    /// <summary>Every exportable layer, with settings that exercise the attributes (pads, groups, dilation, count_include_pad, axes).</summary>
    private const string EveryLayerJson = """
        {"input": [4, 10, 10], "layers": [
          {"type": "conv2d", "out_channels": 8, "kernel_size": [3, 4], "padding": "same", "dilation": [2, 1], "groups": 2},
          {"type": "batchnorm2d"}, {"type": "sigmoid"},
          {"type": "maxpool2d", "kernel_size": 3, "stride": 2, "padding": 1},
          {"type": "conv2d", "out_channels": 6, "kernel_size": 2, "stride": [2, 1], "padding": [1, 0], "bias": false},
          {"type": "leakyrelu", "negative_slope": 0.05},
          {"type": "avgpool2d", "kernel_size": 2, "stride": 1, "padding": 1, "count_include_pad": false},
          {"type": "adaptiveavgpool2d", "output_size": [2, 5]},
          {"type": "flatten", "start_dim": 2}, {"type": "batchnorm1d", "affine": false}, {"type": "softmax", "dim": 2},
          {"type": "flatten"}, {"type": "dropout", "p": 0.3}, {"type": "linear", "out_features": 12}, {"type": "tanh"},
          {"type": "maxout", "out_features": 5, "pieces": 3}, {"type": "identity"}, {"type": "relu"},
          {"type": "linear", "out_features": 7, "bias": false}, {"type": "batchnorm1d"}, {"type": "logsoftmax", "dim": -1}]}
        """;

    public static TheoryData<string, string> ExportCases => new()
    {
        { "lenet5", ModelSpec.FromName("lenet5").ToJson() },
        { "lenet1998", ModelSpec.FromName("lenet1998").ToJson() },
        { "mlp", ModelSpec.FromName("mlp:256,128").ToJson() },
        { "every-layer", EveryLayerJson },
        // Short chains, so a wrong attribute shows in the output instead of being squashed by later layers.
        { "conv-same-dilated-grouped", """{"input": [4, 9, 8], "layers": [{"type": "conv2d", "out_channels": 6, "kernel_size": [3, 4], "padding": "same", "dilation": [2, 1], "groups": 2}]}""" },
        { "conv-strided-padded", """{"input": [2, 9, 8], "layers": [{"type": "conv2d", "out_channels": 3, "kernel_size": 3, "stride": [2, 3], "padding": [1, 2], "bias": false}]}""" },
        { "pools", """{"input": [2, 9, 8], "layers": [{"type": "leakyrelu", "negative_slope": 0.3}, {"type": "maxpool2d", "kernel_size": 3, "stride": 2, "padding": 1}, {"type": "avgpool2d", "kernel_size": 2, "stride": 1, "padding": 1, "count_include_pad": false}]}""" },
        { "avgpool-include-pad", """{"input": [2, 6, 6], "layers": [{"type": "avgpool2d", "kernel_size": 3, "stride": 2, "padding": 1}, {"type": "adaptiveavgpool2d", "output_size": [1, 3]}]}""" },
        { "batchnorm", """{"input": [3, 4, 4], "layers": [{"type": "batchnorm2d", "eps": 0.01}, {"type": "flatten", "start_dim": 2}, {"type": "batchnorm1d", "affine": false}, {"type": "flatten"}, {"type": "batchnorm1d"}]}""" },
        { "maxout-softmax", """{"input": [6], "layers": [{"type": "maxout", "out_features": 4, "pieces": 3}, {"type": "sigmoid"}, {"type": "linear", "out_features": 5}, {"type": "softmax", "dim": 1}]}""" },
        { "global-pool-step", """{"input": [3, 7, 5], "layers": [{"type": "conv2d", "out_channels": 4, "kernel_size": 3}, {"type": "adaptiveavgpool2d", "output_size": 1}, {"type": "flatten"}, {"type": "linear", "out_features": 3}, {"type": "step"}]}""" },
    };

    private static (Sequential Model, ModelSpec Spec, Tensor Input, Tensor Expected) Prepare(string json, int batch)
    {
        var spec = ModelSpec.Parse(json);
        var model = spec.Build(new Generator(42));
        // Training passes give batch norm non-trivial running statistics, then evaluation mode, as exported.
        using (GradMode.NoGrad())
            for (int i = 0; i < 2; i++) model.Forward(Tensor.Randn(new Generator((ulong)(100 + i)), [8, .. spec.Input]) * 1.5f + 0.3f);
        model.Eval();
        var input = Tensor.Randn(new Generator(7), [batch, .. spec.Input]);
        Tensor expected;
        using (GradMode.NoGrad()) expected = model.Forward(input);
        return (model, spec, input, expected);
    }

    [Theory]
    [MemberData(nameof(ExportCases))]
    public void OnnxRuntimeComputesWhatDendriteComputes(string name, string json)
    {
        var (model, spec, input, expected) = Prepare(json, batch: 3);
        string onnx = Path.Combine(dir, name + ".onnx");
        OnnxExporter.Export(model, spec, onnx);
        AssertOnnxRuntimeAgrees(File.ReadAllBytes(onnx), input, expected, 1e-4f, name);
    }

    /// <summary>Runs the model in ONNX Runtime (in-process) on <paramref name="input"/> and compares with Dendrite's output.</summary>
    internal static void AssertOnnxRuntimeAgrees(byte[] onnx, Tensor input, Tensor expected, float tolerance, string name)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1 };
        using var session = new InferenceSession(onnx, options);
        using var value = OrtValue.CreateTensorValueFromMemory(input.ToArray(), input.Shape.ToArray().Select(d => (long)d).ToArray());
        using var results = session.Run(new RunOptions(), ["input"], [value], ["output"]);
        var shape = results[0].GetTensorTypeAndShape().Shape;
        float[] actual = results[0].GetTensorDataAsSpan<float>().ToArray();
        Assert.Equal(expected.Shape.ToArray().Select(d => (long)d), shape);
        float[] want = expected.ToArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - actual[i]) <= tolerance, $"{name}[{i}]: Dendrite {want[i]}, ONNX Runtime {actual[i]}");
    }

    [Theory]
    [MemberData(nameof(ExportCases))]
    public void OnnxCheckerAcceptsTheModel(string name, string json)
    {
        if (!CanRun("/usr/bin/python3", "-c", "import onnx"))
        {
            output.WriteLine("python3-onnx is not installed (apt-get install -y python3-onnx): onnx.checker not run");
            return;
        }
        var (model, spec, _, _) = Prepare(json, batch: 1);
        string onnx = Path.Combine(dir, name + ".onnx");
        OnnxExporter.Export(model, spec, onnx);
        var (code, text) = Run("/usr/bin/python3", "-c",
            "import sys, onnx; m = onnx.load(sys.argv[1]); onnx.checker.check_model(m, full_check=True); " +
            "print(m.ir_version, m.opset_import[0].version, m.graph.input[0].type.tensor_type.shape.dim[0].dim_param)", onnx);
        Assert.True(code == 0, $"onnx.checker rejected {name}: {text}");
        Assert.Equal($"{OnnxExporter.IrVersion} {OnnxExporter.Opset} N", text.Trim());
    }

    private static bool CanRun(string program, params string[] args)
    {
        try
        {
            return Run(program, args).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Output) Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout + stderr.Result);
    }
}
