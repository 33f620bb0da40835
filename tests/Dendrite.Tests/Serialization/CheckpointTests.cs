using Dendrite.Optim;
using Dendrite.Serialization;
using Dendrite.Training;

namespace Dendrite.Tests.Serialization;

public sealed class CheckpointTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dendrite-ckpt-" + Guid.NewGuid().ToString("N"));

    public CheckpointTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private static Checkpoint Sample()
    {
        var spec = ModelSpec.FromName("mlp:3", inputs: 2, outputs: 2);
        var model = spec.Build(new Generator(1));
        var optimizer = new Adam(model.Parameters(), lr: 0.01f);
        var loss = model.Forward(Tensor.Ones(4, 2)).Sum();
        loss.Backward();
        optimizer.Step();
        return new Checkpoint
        {
            Spec = spec,
            Model = model.StateDict(),
            Optimizer = optimizer.StateDict(),
            ResumePoint = new ResumePoint
            {
                Epoch = 3,
                Batch = 7,
                LossSum = 0.1 + 0.2,
                Samples = 112,
                Metrics = new Dictionary<string, double[]> { ["accuracy"] = [100, 112], ["top2_accuracy"] = [] },
                Shuffle = [ulong.MaxValue, 1, 2, 0x8000_0000_0000_0001UL],
                History = [new Dictionary<string, double> { ["loss"] = 0.1 + 0.2, ["val_loss"] = double.NaN }],
                Callbacks = new Dictionary<string, IReadOnlyDictionary<string, double>> { ["EarlyStopping"] = new Dictionary<string, double> { ["best"] = 1.0 / 3, ["wait"] = 2 } },
            },
            Generators = new Dictionary<string, ulong[]> { ["model"] = [5, 6, 7, 8, 0, 0] },
            Options = new Dictionary<string, string> { ["optimizer"] = "adam", ["data"] = "a \"quoted\" path" },
        };
    }

    [Fact]
    public void SaveLoad_RoundTripsEveryField_BitForBit()
    {
        var saved = Sample();
        string path = Path.Combine(dir, "c.ckpt");
        saved.Save(path);
        var loaded = Checkpoint.Load(path);
        Assert.Equal(saved.Spec.ToJson(), loaded.Spec.ToJson());
        var point = loaded.ResumePoint;
        Assert.Equal(3, point.Epoch);
        Assert.Equal(7, point.Batch);
        Assert.Equal(0.1 + 0.2, point.LossSum);
        Assert.Equal(112, point.Samples);
        Assert.Equal([100.0, 112.0], point.Metrics["accuracy"]);
        Assert.Empty(point.Metrics["top2_accuracy"]);
        Assert.Equal(saved.ResumePoint.Shuffle, point.Shuffle);
        Assert.Equal(saved.Generators["model"], loaded.Generators["model"]);
        Assert.Single(loaded.Generators);
        Assert.Equal(0.1 + 0.2, point.History[0]["loss"]);
        Assert.True(double.IsNaN(point.History[0]["val_loss"]));
        Assert.Equal(1.0 / 3, point.Callbacks["EarlyStopping"]["best"]);
        Assert.Equal(2, point.Callbacks["EarlyStopping"]["wait"]);
        Assert.Equal("a \"quoted\" path", loaded.Options["data"]);
        foreach (var (name, value) in saved.Model) Assert.Equal(value.ToArray(), loaded.Model[name].ToArray());
        foreach (var (name, value) in saved.Optimizer) Assert.Equal(value.ToArray(), loaded.Optimizer[name].ToArray());
    }

    [Fact]
    public void Load_ReadsTheRunningAccuracyOfCheckpointsWrittenBeforeMetricsSavedState()
    {
        // dendrite train once kept an interrupted epoch's accuracy as "correct" beside "samples", and had no
        // metrics or callbacks sections.
        string path = Path.Combine(dir, "old.ckpt");
        Sample().Save(path);
        var (tensors, metadata) = SafeTensors.Load(path);
        var old = new Dictionary<string, string>(metadata)
        {
            ["dendrite.checkpoint"] = """
                {"epoch":1,"batch":5,"generators":{"shuffle":["1","2","3","4","0","0"],"model":["5","6","7","8","0","0"]},
                 "history":[{"loss":"0.5","accuracy":"0.75"}],"partial":{"loss_sum":"40.5","correct":"60","samples":"80"},
                 "options":{"optimizer":"adam"}}
                """,
        };
        SafeTensors.Save(path, tensors, old);
        var point = Checkpoint.Load(path).ResumePoint;
        Assert.Equal((1, 5, 40.5, 80L), (point.Epoch, point.Batch, point.LossSum, point.Samples));
        Assert.Equal([60.0, 80.0], point.Metrics["accuracy"]);
        Assert.Equal([1UL, 2, 3, 4, 0, 0], point.Shuffle);
        Assert.Empty(point.Callbacks);
    }

    [Fact]
    public void Load_RejectsModelFilesAndCorruptState_WithTheFileName()
    {
        string model = Path.Combine(dir, "m.safetensors");
        var spec = ModelSpec.FromName("mlp:3", inputs: 2, outputs: 2);
        ModelFile.Save(model, spec.Build(new Generator(0)), spec);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(model));
        Assert.Contains("m.safetensors", e.Message);
        Assert.Contains("not a Dendrite checkpoint", e.Message);

        string path = Path.Combine(dir, "c.ckpt");
        Sample().Save(path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^4]);
        Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
    }

    [Fact]
    public void Load_RejectsANameGivenTwiceInTheState()
    {
        // Found by fuzzing: JSON allows a repeated name, and the options' dictionary threw ArgumentException.
        string path = Path.Combine(dir, "c.ckpt");
        Sample().Save(path);
        var (tensors, metadata) = SafeTensors.Load(path);
        var edited = new Dictionary<string, string>(metadata);
        Assert.StartsWith("{", edited["dendrite.checkpoint"]);
        edited["dendrite.checkpoint"] = "{\"options\": {}, " + edited["dendrite.checkpoint"][1..];
        SafeTensors.Save(path, tensors, edited);
        var e = Assert.Throws<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains("c.ckpt", e.Message);
        Assert.Contains("Duplicate property 'options'", e.Message);
    }

    [Fact]
    public void FailedSave_LeavesThePreviousCheckpoint()
    {
        string path = Path.Combine(dir, "c.ckpt");
        Sample().Save(path);
        byte[] before = File.ReadAllBytes(path);
        AtomicFile.BeforeCommit.Value = () => throw new IOException("simulated crash");
        try
        {
            var next = Sample();
            Assert.Throws<IOException>(() => new Checkpoint { Spec = next.Spec, Model = next.Model, Optimizer = next.Optimizer, ResumePoint = new ResumePoint { Epoch = 4 } }.Save(path));
        }
        finally
        {
            AtomicFile.BeforeCommit.Value = null;
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(3, Checkpoint.Load(path).ResumePoint.Epoch);
    }
}
