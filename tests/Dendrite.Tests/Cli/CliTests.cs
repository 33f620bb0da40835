using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.Cli;
using Dendrite.Cli.Commands;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;
using Dendrite.Serialization;
using Dendrite.Tests.Data;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary>The dendrite tool run in-process through <see cref="Program.Run"/>.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dendrite-cli-" + Guid.NewGuid().ToString("N"));

    public CliTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A CSV of 3 Gaussian blobs in 4 dimensions, labelled by name.</summary>
    private string SyntheticCsv(int rows = 240)
    {
        var g = new Generator(7);
        var csv = new StringBuilder("a,b,c,d,label\n");
        string[] names = ["red", "green", "blue"];
        for (int i = 0; i < rows; i++)
        {
            int k = i % 3;
            var x = Enumerable.Range(0, 4).Select(j => (j == k ? 2.0 : 0.0) + g.NextNormal() * 0.7).ToArray();
            csv.Append(string.Join(",", x.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))).Append(',').Append(names[k]).Append('\n');
        }
        string path = Path.Combine(dir, "blobs.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static Dictionary<string, float[]> Weights(string modelFile) =>
        ModelFile.Load(modelFile).Model.StateDict().ToDictionary(p => p.Key, p => p.Value.ToArray());

    private static void AssertBitIdentical(string expectedModel, string actualModel)
    {
        var a = Weights(expectedModel);
        var b = Weights(actualModel);
        Assert.Equal(a.Keys.Order(), b.Keys.Order());
        foreach (var (key, values) in a)
            Assert.True(values.Select(BitConverter.SingleToInt32Bits).SequenceEqual(b[key].Select(BitConverter.SingleToInt32Bits)), $"{key} differs");
    }

    private string[] CsvTrain(string csv, string outDir, int epochs, params string[] extra) =>
        ["train", "--model", "mlp:8", "--data", csv, "--target", "label", "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
         "--batch-size", "16", "--optimizer", "adam", "--lr", "0.01", "--val-split", "0.25", "--seed", "3", "--out", outDir, .. extra];

    [Fact]
    public void TrainEvaluatePredictExport_OnMnistSample()
    {
        string run = Path.Combine(dir, "run");
        var train = Run("train", "--model", "mlp:32", "--data", TestData.MnistSample, "--epochs", "1", "--out", run, "--val-split", "0.1");
        Assert.True(train.Code == 0, train.Err);
        Assert.Matches(@"test accuracy: 0\.\d{4}", train.Out);
        foreach (var f in new[] { "model.safetensors", "checkpoint.ckpt", "history.csv", "loss.svg", "accuracy.svg" })
            Assert.True(File.Exists(Path.Combine(run, f)), f);
        var history = File.ReadAllLines(Path.Combine(run, "history.csv"));
        Assert.Equal("epoch,loss,accuracy,val_loss,val_accuracy", history[0]);
        Assert.Equal(5, history[1].Split(',').Length);
        Assert.Contains("validation", File.ReadAllText(Path.Combine(run, "loss.svg")));
        string model = Path.Combine(run, "model.safetensors");
        var facts = ModelFile.Load(model).Facts;
        Assert.Equal("1", facts["epochs"]);
        Assert.True(double.Parse(facts["test_accuracy"], CultureInfo.InvariantCulture) > 0.7);

        var evaluate = Run("evaluate", "--model", model, "--data", TestData.MnistSample, "--json");
        Assert.True(evaluate.Code == 0, evaluate.Err);
        using (var json = JsonDocument.Parse(evaluate.Out))
        {
            Assert.Equal(2000, json.RootElement.GetProperty("samples").GetInt32());
            Assert.Equal(double.Parse(facts["test_accuracy"], CultureInfo.InvariantCulture), json.RootElement.GetProperty("accuracy").GetDouble(), 6);
            Assert.Equal(10, json.RootElement.GetProperty("classes").GetArrayLength());
            long total = json.RootElement.GetProperty("confusion_matrix").EnumerateArray().SelectMany(r => r.EnumerateArray()).Sum(v => v.GetInt64());
            Assert.Equal(2000, total);
        }
        var table = Run("evaluate", "--model", model, "--data", TestData.MnistSample);
        Assert.Equal(0, table.Code);
        Assert.Contains("confusion matrix", table.Out);

        var test = Mnist.Load(TestData.MnistSample, train: false);
        string png = Path.Combine(dir, "digit.png");
        File.WriteAllBytes(png, Png.Encode(test.Inputs[0]));
        var predict = Run("predict", "--model", model, "--input", png, "--json");
        Assert.True(predict.Code == 0, predict.Err);
        using (var json = JsonDocument.Parse(predict.Out))
        {
            var p = json.RootElement.GetProperty("probabilities").EnumerateObject().Select(e => e.Value.GetDouble()).ToList();
            Assert.Equal(10, p.Count);
            Assert.Equal(1.0, p.Sum(), 4);
            Assert.Equal(p.Max(), json.RootElement.GetProperty("probability").GetDouble(), 6);
        }

        string onnx = Path.Combine(dir, "model.onnx");
        var export = Run("export", "--model", model, "--format", "onnx", "--out", onnx);
        Assert.True(export.Code == 0, export.Err);
        var trained = TrainedModel.Load(model);
        Assert.Equal(Dendrite.Serialization.Onnx.OnnxExporter.ToBytes(trained.Model, trained.Spec, trained.Preprocessor?.Scaler), File.ReadAllBytes(onnx));

        var summary = Run("summary", "--model", model);
        Assert.Equal(0, summary.Code);
        Assert.Contains("25,450", summary.Out); // 784·32 + 32
    }

    [Fact]
    public void Resume_TwoPlusTwoEpochs_IsBitIdenticalToFour()
    {
        string csv = SyntheticCsv();
        string straight = Path.Combine(dir, "straight"), split = Path.Combine(dir, "split");
        Assert.Equal(0, Run(CsvTrain(csv, straight, 4)).Code);
        Assert.Equal(0, Run(CsvTrain(csv, split, 2)).Code);
        Assert.Equal(2, Checkpoint.Load(Path.Combine(split, "checkpoint.ckpt")).ResumePoint.Epoch);
        var resumed = Run("train", "--data", csv, "--epochs", "4", "--resume", Path.Combine(split, "checkpoint.ckpt"));
        Assert.True(resumed.Code == 0, resumed.Err);
        AssertBitIdentical(Path.Combine(straight, "model.safetensors"), Path.Combine(split, "model.safetensors"));
        // The whole file too (metadata included), as `cmp` would check it.
        Assert.Equal(File.ReadAllBytes(Path.Combine(straight, "model.safetensors")), File.ReadAllBytes(Path.Combine(split, "model.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.csv")), File.ReadAllText(Path.Combine(split, "history.csv")));
    }

    [Fact]
    public void TwoIdenticalSeededRuns_WriteByteIdenticalModelFiles()
    {
        string csv = SyntheticCsv();
        Assert.Equal(0, Run(CsvTrain(csv, Path.Combine(dir, "one"), 2)).Code);
        Thread.Sleep(20); // a write time in the file would now differ
        Assert.Equal(0, Run(CsvTrain(csv, Path.Combine(dir, "two"), 2)).Code);
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir, "one", "model.safetensors")), File.ReadAllBytes(Path.Combine(dir, "two", "model.safetensors")));
    }

    [Fact]
    public void Interrupt_MidEpoch_WritesCheckpoint_AndResumeIsBitIdentical()
    {
        string csv = SyntheticCsv();
        string straight = Path.Combine(dir, "straight"), interrupted = Path.Combine(dir, "interrupted");
        Assert.Equal(0, Run(CsvTrain(csv, straight, 3)).Code);

        using var cancel = new CancellationTokenSource();
        TrainingRun.AfterStep.Value = (epoch, batch) => { if (epoch == 1 && batch == 4) cancel.Cancel(); };
        Result stopped;
        try
        {
            stopped = Run(cancel.Token, CsvTrain(csv, interrupted, 3));
        }
        finally
        {
            TrainingRun.AfterStep.Value = null;
        }
        Assert.Equal(Program.Interrupted, stopped.Code);
        Assert.Contains("interrupted: resume with dendrite train", stopped.Err);
        Assert.Contains("--resume", stopped.Err);
        var checkpoint = Checkpoint.Load(Path.Combine(interrupted, "checkpoint.ckpt"));
        Assert.Equal(1, checkpoint.ResumePoint.Epoch);
        Assert.Equal(5, checkpoint.ResumePoint.Batch);
        Assert.False(File.Exists(Path.Combine(interrupted, "model.safetensors")));

        var resumed = Run("train", "--data", csv, "--epochs", "3", "--resume", Path.Combine(interrupted, "checkpoint.ckpt"));
        Assert.True(resumed.Code == 0, resumed.Err);
        AssertBitIdentical(Path.Combine(straight, "model.safetensors"), Path.Combine(interrupted, "model.safetensors"));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.csv")), File.ReadAllText(Path.Combine(interrupted, "history.csv")));
    }

    [Fact]
    public void CrashWhileWritingCheckpoint_KeepsThePreviousOne()
    {
        string csv = SyntheticCsv();
        string run = Path.Combine(dir, "crash");
        string checkpointPath = Path.Combine(run, "checkpoint.ckpt");
        int commits = 0;
        AtomicFile.BeforeCommit.Value = () =>
        {
            // The second checkpoint dies after its temporary file is written, before it replaces the first.
            if (File.Exists(checkpointPath) && ++commits == 1) throw new IOException("simulated crash: disk full");
        };
        Result r;
        try
        {
            r = Run(CsvTrain(csv, run, 3));
        }
        finally
        {
            AtomicFile.BeforeCommit.Value = null;
        }
        AssertOneLineError(r, 1, "disk full");
        var kept = Checkpoint.Load(checkpointPath);
        Assert.Equal(1, kept.ResumePoint.Epoch);
        Assert.False(File.Exists(checkpointPath + ".tmp"));
    }

    [Fact]
    public void CorruptInputs_GiveOneClearLine_AndExitCode1()
    {
        string csv = SyntheticCsv();
        string run = Path.Combine(dir, "ok");
        Assert.Equal(0, Run(CsvTrain(csv, run, 1)).Code);
        string model = Path.Combine(run, "model.safetensors");
        byte[] bytes = File.ReadAllBytes(model);

        string truncated = Path.Combine(dir, "truncated.safetensors");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
        AssertOneLineError(Run("evaluate", "--model", truncated, "--data", csv, "--target", "label"), 1, "truncated.safetensors");
        AssertOneLineError(Run("predict", "--model", truncated, "--input", csv), 1);
        AssertOneLineError(Run("export", "--model", truncated, "--out", Path.Combine(dir, "x.onnx")), 1);

        string garbage = Path.Combine(dir, "garbage.safetensors");
        File.WriteAllBytes(garbage, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
        AssertOneLineError(Run("summary", "--model", garbage), 1);

        string badCheckpoint = Path.Combine(dir, "bad.ckpt");
        var ckpt = File.ReadAllBytes(Path.Combine(run, "checkpoint.ckpt"));
        File.WriteAllBytes(badCheckpoint, ckpt[..(ckpt.Length - 3)]);
        AssertOneLineError(Run("train", "--data", csv, "--epochs", "2", "--resume", badCheckpoint), 1, "bad.ckpt");
        AssertOneLineError(Run("train", "--data", csv, "--epochs", "2", "--resume", model), 1, "not a Dendrite checkpoint");

        string spec = Path.Combine(dir, "spec.json");
        File.WriteAllText(spec, "{\"input\": [4], \"layers\": [{\"type\": \"linear\", \"out_features\": ");
        AssertOneLineError(Run("train", "--model", spec, "--data", csv, "--target", "label", "--epochs", "1", "--out", Path.Combine(dir, "s")), 1, "spec.json");
        File.WriteAllText(spec, "{\"input\": [1, 28, 28], \"layers\": [{\"type\": \"linear\", \"out_features\": 3}]}");
        AssertOneLineError(Run("summary", "--model", spec), 1, "spec.json");

        string badCsv = Path.Combine(dir, "bad.csv");
        File.WriteAllText(badCsv, "a,b,label\n1,2,x\n3,oops,y\n");
        AssertOneLineError(Run("train", "--model", "mlp:4", "--data", badCsv, "--target", "label", "--epochs", "1", "--out", Path.Combine(dir, "c")), 1, "bad.csv");
        // A spec file is read before the data: its error comes first, without loading the data.
        string broken = Path.Combine(dir, "broken.json");
        File.WriteAllText(broken, "{\"input\": [2], \"layers\": [{\"type\": \"transformer\"}]}");
        AssertOneLineError(Run("train", "--model", broken, "--data", badCsv, "--target", "label", "--epochs", "1", "--out", Path.Combine(dir, "b")), 1, "broken.json");

        AssertOneLineError(Run("evaluate", "--model", Path.Combine(dir, "missing.safetensors"), "--data", csv), 1, "no such model file");
        AssertOneLineError(Run("train", "--model", "mlp:8", "--data", csv, "--target", "label", "--epochs", "1", "--lr", "1e30", "--out", Path.Combine(dir, "nan")), 1, "diverged");
    }

    [Fact]
    public void Verbose_AddsTheStackTrace()
    {
        var r = Run("summary", "--model", "no-such-model", "--verbose");
        Assert.Equal(1, r.Code);
        Assert.StartsWith("dendrite: error: unknown model", r.Err);
        Assert.Contains("   at ", r.Err);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("train", "--epochs", "ten")]
    [InlineData("summary")]
    [InlineData("train", "--model", "mlp", "--data", "x", "--optimizer", "newton")]
    [InlineData("export", "--model", "m.safetensors", "--format", "tflite", "--out", "m")]
    [InlineData("data", "download", "imagenet")]
    [InlineData("train", "--data", "x.csv")]
    public void UsageErrors_ExitWith2(params string[] args)
    {
        var r = Run(args);
        AssertOneLineError(r, 2);
    }

    [Fact]
    public void CsvWithoutTarget_IsAUsageError()
    {
        string csv = SyntheticCsv();
        AssertOneLineError(Run("train", "--model", "mlp:4", "--data", csv, "--epochs", "1", "--out", Path.Combine(dir, "t")), 2, "--target");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    [InlineData("predict")]
    [InlineData("summary")]
    [InlineData("export")]
    [InlineData("data")]
    [InlineData("bench")]
    public void Help_WorksForEveryVerb(string verb)
    {
        var r = Run(verb, "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("Usage:", r.Out);
        Assert.Contains(verb, r.Out);
    }

    [Fact]
    public void DataInfo_DescribesMnistAndCsv()
    {
        var mnist = Run("data", "info", TestData.MnistSample);
        Assert.Equal(0, mnist.Code);
        Assert.Contains("train: 8,000 images of shape [1, 28, 28]", mnist.Out);
        Assert.Contains("test: 2,000 images", mnist.Out);
        var csv = Run("data", "info", SyntheticCsv());
        Assert.Equal(0, csv.Code);
        Assert.Contains("240 rows, 4 features", csv.Out);
        Assert.Contains("3 classes", csv.Out);
    }

    [Fact]
    public void Summary_OfLenet5_CountsParametersAndMultiplyAdds()
    {
        var r = Run("summary", "--model", "lenet5");
        Assert.Equal(0, r.Code);
        Assert.Contains("Total params: 61,706", r.Out);
        Assert.Contains("Multiply-adds per sample: 416,520", r.Out);
    }

    [Fact]
    public void PredictCsv_GivesOneLinePerRow()
    {
        string csv = SyntheticCsv(30);
        string run = Path.Combine(dir, "p");
        Assert.Equal(0, Run(CsvTrain(csv, run, 1)).Code);
        var r = Run("predict", "--model", Path.Combine(run, "model.safetensors"), "--input", csv);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(30, r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Matches(@"row 1: class (red|green|blue)", r.Out);
    }
}
