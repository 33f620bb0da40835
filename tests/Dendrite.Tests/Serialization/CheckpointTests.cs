using Dendrite.Optim;
using Dendrite.Serialization;

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
            Epoch = 3,
            Batch = 7,
            Generators = new Dictionary<string, ulong[]> { ["shuffle"] = [ulong.MaxValue, 1, 2, 0x8000_0000_0000_0001UL] },
            History = [new Dictionary<string, double> { ["loss"] = 0.1 + 0.2, ["val_loss"] = double.NaN }],
            Partial = new Dictionary<string, double> { ["samples"] = 112 },
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
        Assert.Equal(3, loaded.Epoch);
        Assert.Equal(7, loaded.Batch);
        Assert.Equal(saved.Generators["shuffle"], loaded.Generators["shuffle"]);
        Assert.Equal(0.1 + 0.2, loaded.History[0]["loss"]);
        Assert.True(double.IsNaN(loaded.History[0]["val_loss"]));
        Assert.Equal(112, loaded.Partial["samples"]);
        Assert.Equal("a \"quoted\" path", loaded.Options["data"]);
        foreach (var (name, value) in saved.Model) Assert.Equal(value.ToArray(), loaded.Model[name].ToArray());
        foreach (var (name, value) in saved.Optimizer) Assert.Equal(value.ToArray(), loaded.Optimizer[name].ToArray());
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
    public void FailedSave_LeavesThePreviousCheckpoint()
    {
        string path = Path.Combine(dir, "c.ckpt");
        Sample().Save(path);
        byte[] before = File.ReadAllBytes(path);
        AtomicFile.BeforeCommit.Value = () => throw new IOException("simulated crash");
        try
        {
            var next = Sample();
            Assert.Throws<IOException>(() => new Checkpoint { Spec = next.Spec, Model = next.Model, Optimizer = next.Optimizer, Epoch = 4 }.Save(path));
        }
        finally
        {
            AtomicFile.BeforeCommit.Value = null;
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(3, Checkpoint.Load(path).Epoch);
    }
}
