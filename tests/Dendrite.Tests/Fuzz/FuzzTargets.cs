using System.Text;
using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;
using Dendrite.Runtime;
using Dendrite.Serialization;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Tests.Fuzz;

/// <summary>
/// One fuzz target per reader: feeds a file's bytes to the reader and checks its contract — it returns a
/// consistent result or throws only its documented exceptions (InvalidDataException, or MemoryBudgetException
/// for declared sizes over the budget), whose message names the file. Any other
/// exception (IndexOutOfRange, NullReference, Overflow, OutOfMemory, ...) escapes and is a crash; so does a
/// broken invariant, raised as <see cref="FuzzContractException"/>. Plain static methods with no fuzzer
/// dependency: tools/fuzz/Harness wires them to SharpFuzz/afl, and FuzzCorpusTests replays the kept inputs.
/// </summary>
public static class FuzzTargets
{
    /// <summary>The readers, by the names tools/fuzz/run.sh and the corpus folders use.</summary>
    public static IReadOnlyDictionary<string, Action<byte[]>> All { get; } = new Dictionary<string, Action<byte[]>>
    {
        ["safetensors"] = SafeTensorsFile,
        ["checkpoint"] = CheckpointFile,
        ["spec"] = ModelSpecJson,
        ["idx"] = IdxFile,
        ["png"] = PngFile,
        ["csv"] = CsvFile,
        ["onnx"] = OnnxRoundTrip,
    };

    // Path-based readers read a per-process scratch file: afl's persistent mode calls a target many times.
    private static readonly string Scratch = Path.Combine(
        Environment.GetEnvironmentVariable("DENDRITE_FUZZ_TMP") is { Length: > 0 } dir ? dir : Path.GetTempPath(),
        $"dendrite-fuzz-{Environment.ProcessId}-{Guid.NewGuid():N}");

    private static string WriteScratch(byte[] data, string extension)
    {
        string path = Scratch + extension;
        File.WriteAllBytes(path, data);
        return path;
    }

    /// <summary>SafeTensors.Load: InvalidDataException naming the file, or tensors whose sizes match their shapes.</summary>
    public static void SafeTensorsFile(byte[] data)
    {
        string path = WriteScratch(data, ".safetensors");
        try
        {
            var (tensors, _) = SafeTensors.Load(path);
            long floats = tensors.Values.Sum(t => (long)t.Numel);
            // Every element came from at least one byte of the file.
            Require(floats <= data.Length, $"safetensors: {floats} elements read from a {data.Length}-byte file");
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, path);
        }
    }

    /// <summary>Checkpoint.Load: InvalidDataException naming the file, or a checkpoint that saves and reloads.</summary>
    public static void CheckpointFile(byte[] data)
    {
        string path = WriteScratch(data, ".ckpt");
        Checkpoint checkpoint;
        try
        {
            checkpoint = Checkpoint.Load(path);
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, path);
            return;
        }
        // What was accepted must survive a save and a reload (the resume path does exactly this).
        string again = Scratch + ".resaved.ckpt";
        checkpoint.Save(again);
        var reloaded = Checkpoint.Load(again);
        Require(reloaded.Spec.ToJson() == checkpoint.Spec.ToJson(), "checkpoint: the spec changed on save and reload");
        var (a, b) = (checkpoint.ResumePoint, reloaded.ResumePoint);
        Require(a.Epoch == b.Epoch && a.Batch == b.Batch && a.Samples == b.Samples && a.LossSum.Equals(b.LossSum),
            "checkpoint: the resume point changed on save and reload");
    }

    /// <summary>
    /// ModelSpec.Parse: ModelSpecException, or a spec whose JSON round-trips, whose sizes are not negative and
    /// (when small enough to build) whose built model's output has the inferred shape.
    /// </summary>
    public static void ModelSpecJson(byte[] data)
    {
        ModelSpec spec;
        IReadOnlyList<LayerInfo> infos;
        try
        {
            spec = ModelSpec.Parse(Encoding.UTF8.GetString(data));
            infos = spec.InferShapes();
        }
        catch (ModelSpecException)
        {
            return;
        }
        Require(ModelSpec.Parse(spec.ToJson()).ToJson() == spec.ToJson(), "spec: ToJson does not parse back to the same spec");
        long parameters = 0, activations = spec.Input.Aggregate(1L, (a, b) => a * b);
        foreach (var info in infos)
        {
            Require(info.Parameters >= 0 && info.MultiplyAdds >= 0 && info.OutputShape.All(d => d > 0),
                $"spec: layer {info.Index} ({info.Type}) has {info.Parameters} parameters, {info.MultiplyAdds} multiply-adds, output [{string.Join(", ", info.OutputShape)}]");
            parameters += info.Parameters;
            activations += info.OutputShape.Aggregate(1L, (a, b) => a * b);
        }
        // Only small models are built and run: the memory budget of big ones is the readers' own check.
        if (parameters > 200_000 || activations > 200_000) return;
        var model = spec.Build(new Generator(1));
        Require(model.Parameters().Sum(p => (long)p.Numel) == parameters, "spec: the built model's parameter count differs from InferShapes'");
        model.Eval();
        using var _ = GradMode.NoGrad();
        var output = model.Forward(Tensor.Zeros([1, .. spec.Input]));
        Require(output.Shape.Skip(1).SequenceEqual(spec.Output),
            $"spec: output {output.Shape} differs from the inferred [{string.Join(", ", spec.Output)}]");
    }

    /// <summary>Idx.Read (plain or gzip): InvalidDataException naming the stream, or an array whose payload matches its dimensions.</summary>
    public static void IdxFile(byte[] data)
    {
        const string Name = "fuzz.idx";
        try
        {
            var array = Idx.Read(new MemoryStream(data), Name);
            long numel = array.Dimensions.Aggregate(1L, (a, b) => a * b);
            Require(array.Numel == numel, $"idx: {array.Numel} elements for dimensions [{string.Join(",", array.Dimensions)}]");
            Require(array.ToFloatArray().LongLength == numel, "idx: ToFloatArray's length differs from the dimensions");
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, Name);
        }
    }

    /// <summary>
    /// Png.Decode: InvalidDataException naming the file, or an image of the declared size. The input is
    /// decoded as given and again with every chunk's CRC recomputed, so that mutations reach the decoder
    /// behind the checksum.
    /// </summary>
    public static void PngFile(byte[] data)
    {
        DecodePng(data);
        if (WithFixedCrcs(data) is { } fixedUp) DecodePng(fixedUp);
    }

    private static void DecodePng(byte[] data)
    {
        const string Name = "fuzz.png";
        try
        {
            var image = Png.Decode(data, Name);
            Require(image.Width > 0 && image.Height > 0, $"png: {image.Width}×{image.Height} image");
            Require(image.ToTensor().Numel == (long)image.Width * image.Height * image.Channels, "png: the tensor's size differs from the image's");
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, Name);
        }
    }

    /// <summary>The PNG with each complete chunk's CRC rewritten, or null when nothing changed.</summary>
    public static byte[]? WithFixedCrcs(byte[] data)
    {
        if (data.Length < 8) return null;
        var copy = (byte[])data.Clone();
        bool changed = false;
        long pos = 8;
        while (pos + 12 <= copy.Length)
        {
            long length = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(copy.AsSpan((int)pos));
            if (pos + 12 + length > copy.Length) break;
            uint crc = Png.Crc32(copy.AsSpan((int)pos + 4, 4 + (int)length));
            var slot = copy.AsSpan((int)(pos + 8 + length), 4);
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(slot) != crc)
            {
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(slot, crc);
                changed = true;
            }
            pos += 12 + length;
        }
        return changed ? copy : null;
    }

    /// <summary>
    /// CsvTable.Parse and CsvDataset.Parse with the last column as the target (as classes and as a regression
    /// target): InvalidDataException naming the source, or rows of the header's width.
    /// </summary>
    public static void CsvFile(byte[] data)
    {
        const string Name = "fuzz.csv";
        string text = Encoding.UTF8.GetString(data);
        CsvTable table;
        try
        {
            table = CsvTable.Parse(new StringReader(text), Name);
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, Name);
            return;
        }
        Require(table.Rows.All(r => r.Length == table.Header.Count), "csv: a row's width differs from the header's");
        if (table.Header.Count == 0) return;
        foreach (bool regression in new[] { false, true })
        {
            try
            {
                var dataset = CsvDataset.Parse(new StringReader(text), table.Header[^1], regression, Name);
                Require(dataset.Count == table.Rows.Count, $"csv: {dataset.Count} samples from {table.Rows.Count} rows");
                Require(dataset.FeatureNames.Count == table.Header.Count - 1, "csv: the feature count differs from the header's");
            }
            catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
            {
                RequireNamed(e, Name);
            }
        }
    }

    /// <summary>
    /// A model file read (TrainedModel.Load), exported to ONNX bytes and the bytes re-parsed: the loader throws
    /// only InvalidDataException naming the file, the exporter only NotSupportedException for a layer ONNX
    /// cannot express, and what it writes is well-formed protobuf whose graph is connected and whose
    /// initializers hold exactly the model's weights (<see cref="OnnxCheck"/>).
    /// </summary>
    public static void OnnxRoundTrip(byte[] data)
    {
        string path = WriteScratch(data, ".safetensors");
        TrainedModel trained;
        try
        {
            trained = TrainedModel.Load(path);
        }
        catch (Exception e) when (e is InvalidDataException or MemoryBudgetException)
        {
            RequireNamed(e, path);
            return;
        }
        byte[] onnx;
        try
        {
            onnx = OnnxExporter.ToBytes(trained.Model, trained.Spec, trained.Preprocessor?.Scaler);
        }
        catch (NotSupportedException)
        {
            return;
        }
        OnnxCheck.Validate(onnx, trained.Model.StateDict());
    }

    /// <summary>Throws <see cref="FuzzContractException"/> when <paramref name="condition"/> is false.</summary>
    public static void Require(bool condition, string what)
    {
        if (!condition) throw new FuzzContractException(what);
    }

    private static void RequireNamed(Exception e, string name) =>
        Require(e.Message.Contains(name, StringComparison.Ordinal), $"the error does not name {name}: {e.Message}");
}

/// <summary>A reader broke its contract on a fuzzed input (a result inconsistent with itself, an error that does not name the file).</summary>
public sealed class FuzzContractException(string message) : Exception(message);
