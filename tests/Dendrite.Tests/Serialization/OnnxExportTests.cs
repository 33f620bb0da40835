using System.Diagnostics;
using System.Text.Json;
using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.Serialization;
using Dendrite.Serialization.Onnx;
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
    public void UnsupportedLayersAndMismatchedModelsAreNamed()
    {
        var features = ModelSpec.Parse("""{"input": [2], "layers": [{"type": "featuremap", "features": "all"}, {"type": "linear", "out_features": 1}]}""");
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.ToBytes(features.Build(), features));
        Assert.Contains("layer 0 (featuremap) is not supported", e.Message);

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
        if (Environment.GetEnvironmentVariable("DENDRITE_SKIP_ONNXRUNTIME") == "1")
        {
            output.WriteLine("DENDRITE_SKIP_ONNXRUNTIME=1: ONNX Runtime comparison skipped");
            return;
        }
        string root = RepoRoot();
        string script = Path.Combine(root, "tools", "onnx", "run_onnx.js");
        string package = Path.Combine(root, "tools", "onnx", "node_modules", "onnxruntime-node", "package.json");
        Assert.True(File.Exists(package) && CanRun("node", "--version"),
            "ONNX export tests need node and onnxruntime-node in tools/onnx/node_modules: run .ci/run, which installs them " +
            "(or set DENDRITE_SKIP_ONNXRUNTIME=1 to skip this comparison)");

        var (model, spec, input, expected) = Prepare(json, batch: 3);
        string onnx = Path.Combine(dir, name + ".onnx"), inputJson = Path.Combine(dir, name + ".in.json"), outputJson = Path.Combine(dir, name + ".out.json");
        OnnxExporter.Export(model, spec, onnx);
        File.WriteAllText(inputJson, JsonSerializer.Serialize(new { shape = input.Shape.ToArray(), data = input.ToArray() }));
        var (code, text) = Run("node", script, onnx, inputJson, outputJson);
        Assert.True(code == 0, $"node run_onnx.js failed ({code}): {text}");

        using var result = JsonDocument.Parse(File.ReadAllText(outputJson));
        int[] shape = result.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        float[] actual = result.RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        Assert.Equal(expected.Shape.ToArray(), shape);
        float[] want = expected.ToArray();
        for (int i = 0; i < want.Length; i++)
            Assert.True(Math.Abs(want[i] - actual[i]) <= 1e-4f, $"{name}[{i}]: Dendrite {want[i]}, ONNX Runtime {actual[i]}");
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

    internal static string RepoRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "Dendrite.slnx"))) return d.FullName;
        throw new InvalidOperationException($"no Dendrite.slnx above {AppContext.BaseDirectory}");
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
