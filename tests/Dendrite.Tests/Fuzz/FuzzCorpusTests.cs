using Dendrite.Autograd;
using Dendrite.Serialization;
using Dendrite.Serialization.Onnx;
using Dendrite.Tests.Examples;
using Dendrite.Tests.Serialization;

namespace Dendrite.Tests.Fuzz;

/// <summary>
/// Replays every kept fuzzing input through its reader's target: the seeds and the interesting inputs afl
/// found (tools/fuzz/corpus/READER/) and every input that once crashed a reader (tools/fuzz/regressions/READER/).
/// A target throws on any broken contract, so each file must simply pass. No fuzzer runs here.
/// </summary>
public class FuzzCorpusTests
{
    private static readonly string Root = Path.Combine(DotnetRun.RepositoryRoot(), "tools", "fuzz");

    public static TheoryData<string> Readers() => [.. FuzzTargets.All.Keys];

    private static List<string> Inputs(string reader) =>
        [.. new[] { "corpus", "regressions" }
            .Select(kind => Path.Combine(Root, kind, reader))
            .Where(Directory.Exists)
            .SelectMany(dir => Directory.EnumerateFiles(dir).Where(f => Path.GetFileName(f) != "README.md"))
            .Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(Readers))]
    public void EveryCorpusAndRegressionInputPasses(string reader)
    {
        var files = Inputs(reader);
        Assert.NotEmpty(files);
        var target = FuzzTargets.All[reader];
        foreach (var file in files)
        {
            try
            {
                target(File.ReadAllBytes(file));
            }
            catch (Exception e)
            {
                Assert.Fail($"{Path.GetRelativePath(Root, file)}: {e.GetType().Name}: {e.Message}");
            }
        }
    }

    [Fact]
    public void EveryKeptModelThatExportsRunsInOnnxRuntimeAsInDendrite()
    {
        // The fuzz target checks the exported graph's structure; here ONNX Runtime also runs it. Only models with
        // moderate finite weights are compared: at the float edges the two runtimes may round differently.
        int compared = 0;
        foreach (var file in Inputs("onnx"))
        {
            TrainedModel trained;
            byte[] onnx;
            try
            {
                trained = TrainedModel.Load(file);
                onnx = OnnxExporter.ToBytes(trained.Model, trained.Spec, trained.Preprocessor?.Scaler);
            }
            catch (Exception e) when (e is InvalidDataException or NotSupportedException)
            {
                continue;
            }
            if (!trained.Model.StateDict().Values.All(t => t.ToArray().All(v => float.IsFinite(v) && Math.Abs(v) < 1e4f))) continue;
            var input = Tensor.Randn(new Generator(7), [2, .. trained.Spec.Input]);
            var expected = trained.Predict(input);
            var values = expected.ToArray();
            if (!values.All(float.IsFinite)) continue;
            float tolerance = 1e-4f * Math.Max(1f, values.Max(MathF.Abs));
            OnnxExportTests.AssertOnnxRuntimeAgrees(onnx, input, expected, tolerance, Path.GetFileName(file));
            compared++;
        }
        Assert.True(compared >= 5, $"only {compared} kept models ran in ONNX Runtime");
    }

    [Fact]
    public void TheTargetsCatchWhatTheyMust()
    {
        // A corrupt file is the reader's documented error, not a crash...
        FuzzTargets.SafeTensorsFile([1, 2, 3]);
        FuzzTargets.PngFile([0x89, (byte)'P', (byte)'N', (byte)'G']);
        FuzzTargets.IdxFile([0, 0, 8, 1, 0, 0, 0, 9]);
        FuzzTargets.ModelSpecJson("{\"input\": [0]}"u8.ToArray());
        // ...while a broken contract escapes: an ONNX model whose graph output nothing computes.
        byte[] noOutput = [0x3a, 0x08, 0x62, 0x06, 0x0a, 0x04, (byte)'n', (byte)'o', (byte)'n', (byte)'e', 0x42, 0x00];
        Assert.Throws<FuzzContractException>(() => OnnxCheck.Validate(noOutput, new Dictionary<string, Tensor>()));
    }
}
