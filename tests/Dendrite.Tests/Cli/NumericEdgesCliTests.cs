using System.Globalization;
using System.Text;
using Dendrite.Data.Formats;
using Dendrite.Serialization;
using Dendrite.Training;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary><c>dendrite train</c> at the edges of arithmetic and data: diverging runs, empty and non-finite inputs.</summary>
public sealed class NumericEdgesCliTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dendrite-edges-" + Guid.NewGuid().ToString("N"));

    public NumericEdgesCliTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    /// <summary>A CSV of 3 Gaussian blobs in 4 dimensions.</summary>
    private string Blobs(int rows = 240)
    {
        var g = new Generator(7);
        var csv = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < rows; i++)
        {
            int k = i % 3;
            var x = Enumerable.Range(0, 4).Select(j => (j == k ? 2.0 : 0.0) + g.NextNormal() * 0.7);
            csv.Append(string.Join(",", x.Select(v => v.ToString("0.####", CultureInfo.InvariantCulture)))).Append(",c").Append(k).Append('\n');
        }
        string path = Path.Combine(dir, "blobs.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private string[] Train(string csv, string outDir, float lr, int epochs, params string[] extra) =>
        ["train", "--model", "mlp:8", "--data", csv, "--target", "label", "--epochs", epochs.ToString(CultureInfo.InvariantCulture),
         "--optimizer", "sgd", "--lr", lr.ToString("R", CultureInfo.InvariantCulture), "--seed", "1", "--out", outDir, .. extra];

    [Fact]
    public void AnExplodingLearningRate_StopsNamingTheStepAndLayer()
    {
        var r = Run(Train(Blobs(), Path.Combine(dir, "exploding"), 1e6f, 5));
        AssertOneLineError(r, 1, "diverged");
        Assert.Matches(@"at epoch 1, batch \d of 8; the first layer whose output is not finite is layer \d \(Linear\)", r.Err);
        Assert.Contains("no epoch finished, so no checkpoint was written", r.Err);
        Assert.False(File.Exists(Path.Combine(dir, "exploding", "model.safetensors")));
    }

    [Fact]
    public void ADivergenceAfterAnEpoch_KeepsThatEpochsCheckpoint()
    {
        // One batch an epoch at lr 1e6: the loss grows by orders of magnitude each epoch until it overflows.
        string run = Path.Combine(dir, "run");
        var r = Run(Train(Blobs(), run, 1e6f, 10, "--batch-size", "240"));
        AssertOneLineError(r, 1, "diverged");
        var m = System.Text.RegularExpressions.Regex.Match(r.Err, @"at epoch (\d+), batch 1 of 1");
        Assert.True(m.Success, r.Err);
        int epoch = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(epoch > 1, r.Err);
        string checkpoint = Path.Combine(run, "checkpoint.ckpt");
        Assert.Contains($"the last good checkpoint is kept: {checkpoint}", r.Err);
        var kept = Checkpoint.Load(checkpoint);
        Assert.Equal(epoch - 1, kept.ResumePoint.Epoch);
        Assert.All(kept.Model.Values, t => Assert.All(t.ToArray(), v => Assert.True(float.IsFinite(v))));
        Assert.False(File.Exists(Path.Combine(run, "model.safetensors")));
    }

    [Fact]
    public void OnNanSkip_LeavesOutTheBadUpdates_CountsThem_AndStopsWhenAWholeEpochIsBad()
    {
        var r = Run(Train(Blobs(), Path.Combine(dir, "skip"), 1e6f, 3, "--on-nan", "skip"));
        // Once the weights overflow every later batch is skipped too, which skipping cannot recover from.
        AssertOneLineError(r, 1, "every batch of the epoch had a non-finite loss and was skipped");

        // A single epoch with some good batches finishes, and says how many updates it left out.
        r = Run(Train(Blobs(), Path.Combine(dir, "skip1"), 1e6f, 1, "--on-nan", "skip"));
        Assert.Equal(0, r.Code);
        Assert.Matches(@"skipped the update of \d+ batch(es)? whose loss was not finite \(--on-nan skip\)", r.Err);
        Assert.True(File.Exists(Path.Combine(dir, "skip1", "model.safetensors")));
    }

    private string[] CsvTrain(string csv, string outDir, params string[] extra) =>
        ["train", "--model", "mlp:4", "--data", csv, "--target", "label", "--epochs", "1", "--out", Path.Combine(dir, outDir), .. extra];

    private string Csv(string name, string text)
    {
        string path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void EmptyDataSets_AreRefusedBeforeTraining()
    {
        string csv = Csv("header-only.csv", "a,b,label\n");
        AssertOneLineError(Run(CsvTrain(csv, "e")), 1, "header-only.csv: no data rows after the header");
        Assert.False(Directory.Exists(Path.Combine(dir, "e")));

        string mnist = Path.Combine(dir, "mnist0");
        Directory.CreateDirectory(mnist);
        foreach (var (file, dims) in new[] { ("train-images-idx3-ubyte", new[] { 0, 28, 28 }), ("train-labels-idx1-ubyte", [0]),
                                             ("t10k-images-idx3-ubyte", [0, 28, 28]), ("t10k-labels-idx1-ubyte", [0]) })
            using (var f = File.Create(Path.Combine(mnist, file)))
                Idx.Write(f, IdxType.UnsignedByte, dims, []);
        var r = Run("train", "--model", "lenet5", "--data", mnist, "--epochs", "1", "--out", Path.Combine(dir, "m"));
        AssertOneLineError(r, 1, Path.Combine(mnist, "train-images-idx3-ubyte") + ": the image file holds 0 images");
        Assert.False(File.Exists(Path.Combine(dir, "m", "model.safetensors")));
    }

    [Fact]
    public void AnEmptyTargetCell_IsRefusedNamingTheLineAndColumn()
    {
        string csv = Csv("t.csv", "a,label\n1,x\n2,\n3,y\n");
        AssertOneLineError(Run(CsvTrain(csv, "t", "--impute", "mean")), 1, "t.csv line 3, column 'label': the target cell is empty");
    }

    [Theory]
    [InlineData("1e400")]
    [InlineData("-1e39")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    public void NonFiniteFeatureCells_AreRefusedNamingTheLineAndColumn_UnlessImputed(string cell)
    {
        string text = $"a,b,label\n1,2,x\n2,{cell},y\n3,4,x\n4,5,y\n";
        string csv = Csv("f.csv", text);
        AssertOneLineError(Run(CsvTrain(csv, "f")), 1, $"f.csv line 3, column 'b': '{cell}' is not a finite number");
        var r = Run(CsvTrain(csv, "f2", "--impute", "median"));
        Assert.Equal(0, r.Code);
        Assert.Contains("missing values imputed in 1 column", r.Out);
    }

    [Fact]
    public void AHugeDigitString_IsRefusedWithAShortMessage()
    {
        string csv = Csv("h.csv", "a,label\n1,x\n" + new string('9', 1_000_000) + ",y\n3,x\n");
        var r = Run(CsvTrain(csv, "h"));
        AssertOneLineError(r, 1, "h.csv line 3, column 'a': '99999999999999999999…(1,000,000 characters)' is not a finite number");
        Assert.True(r.Err.Length < 400, r.Err);
    }

    /// <summary>A one-epoch run's checkpoint, re-saved with <paramref name="change"/> applied.</summary>
    private (string Csv, string Path) CorruptCheckpoint(string name, Func<Checkpoint, Checkpoint> change)
    {
        string csv = Blobs(), run = Path.Combine(dir, name);
        Assert.Equal(0, Run(Train(csv, run, 0.1f, 1)).Code);
        string path = Path.Combine(run, "checkpoint.ckpt");
        change(Checkpoint.Load(path)).Save(path);
        return (csv, path);
    }

    private static Checkpoint With(Checkpoint c, IReadOnlyDictionary<string, string>? options = null, ResumePoint? point = null) => new()
    {
        Spec = c.Spec, Model = c.Model, Optimizer = c.Optimizer, Extra = c.Extra, Generators = c.Generators,
        ResumePoint = point ?? c.ResumePoint, Options = options ?? c.Options,
    };

    [Theory]
    [InlineData("lr", "NaN", "--lr must be positive, got NaN")]
    [InlineData("batch_size", "0", "--batch-size must be at least 1")]
    [InlineData("val_split", "7", "--val-split must lie in [0, 0.9]")]
    public void ACheckpointsBadOptionValues_AreACorruptFile_NotBadFlags(string key, string value, string message)
    {
        var (csv, path) = CorruptCheckpoint("o" + key, c => With(c, options: new Dictionary<string, string>(c.Options) { [key] = value }));
        var r = Run("train", "--data", csv, "--epochs", "3", "--resume", path);
        AssertOneLineError(r, 1, $"{path}: corrupt checkpoint");
        Assert.Contains(message, r.Err);
    }

    [Fact]
    public void ACheckpointsStepBeyondTheEpoch_IsACorruptFile()
    {
        var (csv, path) = CorruptCheckpoint("step", c => With(c, point: c.ResumePoint with { Batch = 8 }));
        var r = Run("train", "--data", csv, "--epochs", "3", "--resume", path);
        AssertOneLineError(r, 1, $"{path}: corrupt checkpoint: its resume point is batch 9 of epoch 2, but an epoch of");
    }

    [Fact]
    public void ACheckpointMissingAnOptimizerTensor_IsACorruptFile()
    {
        var (csv, path) = CorruptCheckpoint("optim", c => new Checkpoint
        {
            Spec = c.Spec, Model = c.Model, Extra = c.Extra, Generators = c.Generators, ResumePoint = c.ResumePoint, Options = c.Options,
            Optimizer = c.Optimizer.Where(p => !p.Key.StartsWith("1.", StringComparison.Ordinal)).ToDictionary(),
        });
        var r = Run("train", "--data", csv, "--epochs", "3", "--resume", path);
        AssertOneLineError(r, 1, path);
        Assert.Contains("missing 1.step", r.Err);
    }
}
