using System.Globalization;
using System.Text;
using Dendrite.Serialization;
using Dendrite.Tests.Data;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary><c>--lr-schedule</c> and <c>--early-stopping</c> across <c>--resume</c>: 2 + 2 epochs give the weights of 4.</summary>
public sealed class ScheduleResumeTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    private string Csv()
    {
        var g = new Generator(11);
        var csv = new StringBuilder("a,b,c,label\n");
        for (int i = 0; i < 150; i++)
        {
            int k = i % 3;
            var x = Enumerable.Range(0, 3).Select(j => (j == k ? 1.0 : 0.0) + g.NextNormal() * 0.8);
            csv.Append(string.Join(",", x.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))).Append(",c").Append(k).Append('\n');
        }
        string path = dir.File("data.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static string[] Train(string csv, string outDir, int epochs, string[] extra) =>
        ["train", "--model", "mlp:8", "--data", csv, "--target", "label", "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
         "--batch-size", "16", "--lr", "0.05", "--seed", "4", "--out", outDir, .. extra];

    private static byte[] WeightBytes(string modelFile) =>
        [.. ModelFile.Load(modelFile).Model.StateDict().OrderBy(kv => kv.Key, StringComparer.Ordinal).SelectMany(kv => kv.Value.ToArray().SelectMany(BitConverter.GetBytes))];

    [Theory]
    [InlineData("--lr-schedule", "cosine", "--lr-step", "4")]
    [InlineData("--lr-schedule", "step", "--lr-step", "1", "--lr-gamma", "0.5")]
    [InlineData("--lr-schedule", "plateau", "--lr-step", "1", "--lr-gamma", "0.5", "--val-split", "0.2")]
    [InlineData("--lr-schedule", "step", "--lr-step", "1", "--early-stopping", "3")]
    [InlineData("--lr-schedule", "none", "--early-stopping", "1")]
    public void TwoPlusTwoEpochs_GiveTheWeightsOfFour(params string[] extra)
    {
        string csv = Csv();
        string straight = dir.File("straight"), split = dir.File("split");
        var four = Run(Train(csv, straight, 4, extra));
        Assert.True(four.Code == 0, four.Err);
        var two = Run(Train(csv, split, 2, extra));
        Assert.True(two.Code == 0, two.Err);
        var checkpoint = Checkpoint.Load(Path.Combine(split, "checkpoint.ckpt"));
        Assert.NotEmpty(checkpoint.ResumePoint.Callbacks);
        var resumed = Run("train", "--data", csv, "--epochs", "4", "--resume", Path.Combine(split, "checkpoint.ckpt"));
        Assert.True(resumed.Code == 0, resumed.Err);
        Assert.Equal(WeightBytes(Path.Combine(straight, "model.safetensors")), WeightBytes(Path.Combine(split, "model.safetensors")));
        Assert.Equal(File.ReadAllText(Path.Combine(straight, "history.csv")), File.ReadAllText(Path.Combine(split, "history.csv")));
        Assert.Equal(four.Out.Split('\n').Last(l => l.Contains("accuracy:")), resumed.Out.Split('\n').Last(l => l.Contains("accuracy:")));
    }

    [Fact]
    public void EarlyStopping_StopsAndKeepsTheBestEpoch()
    {
        string csv = Csv();
        var r = Run("train", "--model", "mlp:32", "--data", csv, "--target", "label", "--epochs", "200", "--lr", "0.05", "--lr-schedule", "none",
                    "--early-stopping", "2", "--out", dir.File("es"));
        Assert.True(r.Code == 0, r.Err + r.Out);
        Assert.Contains("15 held out for validation", r.Out); // 10% of 150 rows, with no --val-split
        Assert.Matches(@"early stopping: stopped after epoch (\d+); keeping the weights of epoch (\d+)", r.Out);
        var history = File.ReadAllLines(dir.File("es/history.csv"));
        Assert.True(history.Length - 1 < 200, "it should have stopped before 200 epochs");

        // Killed after the last checkpoint but before the model file: resuming with the same --epochs trains
        // nothing more (the checkpoint says the run had stopped) and writes the same bytes.
        string model = dir.File("es/model.safetensors");
        byte[] reference = File.ReadAllBytes(model);
        File.Delete(model);
        var resumed = Run("train", "--data", csv, "--target", "label", "--epochs", "200", "--resume", dir.File("es/checkpoint.ckpt"));
        Assert.True(resumed.Code == 0, resumed.Err + resumed.Out);
        Assert.Equal(reference, File.ReadAllBytes(model));
        Assert.Equal(history, File.ReadAllLines(dir.File("es/history.csv")));
    }

    [Fact]
    public void Resume_WithADifferentSetting_IsRefused()
    {
        string csv = Csv();
        string run = dir.File("r");
        Assert.Equal(0, Run(Train(csv, run, 1, [])).Code);
        string ckpt = Path.Combine(run, "checkpoint.ckpt");
        AssertOneLineError(Run("train", "--data", csv, "--epochs", "2", "--resume", ckpt, "--lr", "0.5"), 2, "--lr 0.5 where the checkpoint has 0.05");
        AssertOneLineError(Run("train", "--data", csv, "--epochs", "2", "--resume", ckpt, "--lr-schedule", "step"), 2, "--lr-schedule step");
        // The same value again is no difference.
        var same = Run("train", "--data", csv, "--epochs", "2", "--resume", ckpt, "--lr", "0.05", "--batch-size", "16");
        Assert.True(same.Code == 0, same.Err);
    }
}
