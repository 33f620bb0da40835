using System.Globalization;
using System.Text.Json;
using Dendrite.Tensors;

namespace Dendrite.Serialization;

/// <summary>
/// Everything needed to continue training exactly where it stopped, in one safetensors file: the model's
/// state dict (tensors <c>model.NAME</c>), the optimizer's (<c>optimizer.NAME</c>), and in the metadata
/// the model spec, the epochs completed, the batches completed in the current epoch (0 at an epoch
/// boundary), the states of the random generators (shuffling, initialisation/dropout), the per-epoch
/// history, running sums of a partly done epoch, and the training options as strings. Written atomically
/// (temporary file, flush, rename), so a crash or a full disk while saving leaves the previous checkpoint
/// intact.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Metadata value of <c>format</c> that marks a checkpoint.</summary>
    public const string FormatValue = "dendrite-checkpoint";

    private const string StateKey = "dendrite.checkpoint";

    /// <summary>The architecture.</summary>
    public required ModelSpec Spec { get; init; }

    /// <summary>The model's state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> Model { get; init; }

    /// <summary>The optimizer's state dict (<see cref="Optim.Optimizer.StateDict"/>).</summary>
    public required IReadOnlyDictionary<string, Tensor> Optimizer { get; init; }

    /// <summary>Epochs completed.</summary>
    public int Epoch { get; init; }

    /// <summary>Batches completed in epoch <see cref="Epoch"/> (0 when the checkpoint is at an epoch boundary).</summary>
    public int Batch { get; init; }

    /// <summary>Generator states by name (<see cref="Generator.GetState"/>).</summary>
    public IReadOnlyDictionary<string, ulong[]> Generators { get; init; } = new Dictionary<string, ulong[]>();

    /// <summary>Logged values per completed epoch.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> History { get; init; } = [];

    /// <summary>Running sums of the current, partly done epoch (empty at a boundary).</summary>
    public IReadOnlyDictionary<string, double> Partial { get; init; } = new Dictionary<string, double>();

    /// <summary>The training options, so a resumed run can use the same ones.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in Model) tensors["model." + name] = value;
        foreach (var (name, value) in Optimizer) tensors["optimizer." + name] = value;
        var metadata = new Dictionary<string, string>
        {
            [ModelFile.FormatKey] = FormatValue,
            [ModelFile.SpecKey] = Spec.ToJson(indented: false),
            [ModelFile.VersionKey] = ModelFile.DendriteVersion,
            [StateKey] = StateJson(),
        };
        SafeTensors.Save(path, tensors, metadata);
    }

    /// <summary>
    /// Reads a checkpoint written by <see cref="Save"/>. A file that is not one, is truncated or corrupt,
    /// raises <see cref="InvalidDataException"/> naming the file and the problem.
    /// </summary>
    public static Checkpoint Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        if (!metadata.TryGetValue(ModelFile.FormatKey, out var format) || format != FormatValue
            || !metadata.TryGetValue(StateKey, out var state) || !metadata.TryGetValue(ModelFile.SpecKey, out var specJson))
            throw new InvalidDataException($"{path}: not a Dendrite checkpoint (its metadata lacks format '{FormatValue}' and the training state)");
        ModelSpec spec;
        try
        {
            spec = ModelSpec.Parse(specJson);
        }
        catch (ModelSpecException e)
        {
            throw new InvalidDataException($"{path}: the stored model spec is invalid: {e.Message}", e);
        }
        var model = new Dictionary<string, Tensor>();
        var optimizer = new Dictionary<string, Tensor>();
        foreach (var (name, value) in tensors)
        {
            if (name.StartsWith("model.", StringComparison.Ordinal)) model[name["model.".Length..]] = value;
            else if (name.StartsWith("optimizer.", StringComparison.Ordinal)) optimizer[name["optimizer.".Length..]] = value;
            else throw new InvalidDataException($"{path}: unexpected tensor '{name}' (checkpoint tensors start with model. or optimizer.)");
        }
        try
        {
            return ParseState(state, spec, model, optimizer);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw new InvalidDataException($"{path}: the training state in the metadata is corrupt ({e.Message})", e);
        }
    }

    private string StateJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", Epoch);
            w.WriteNumber("batch", Batch);
            w.WriteStartObject("generators");
            // As decimal strings: JSON readers commonly hold numbers as doubles, which lose 64-bit words.
            foreach (var (name, words) in Generators)
            {
                w.WriteStartArray(name);
                foreach (var word in words) w.WriteStringValue(word.ToString(CultureInfo.InvariantCulture));
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteStartArray("history");
            foreach (var epoch in History) WriteNumbers(w, epoch);
            w.WriteEndArray();
            w.WritePropertyName("partial");
            WriteNumbers(w, Partial);
            w.WriteStartObject("options");
            foreach (var (key, value) in Options) w.WriteString(key, value);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteNumbers(Utf8JsonWriter w, IReadOnlyDictionary<string, double> values)
    {
        w.WriteStartObject();
        // "R" strings keep every bit, NaN and infinities included, which JSON numbers cannot hold.
        foreach (var (key, value) in values) w.WriteString(key, value.ToString("R", CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static Dictionary<string, double> ReadNumbers(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => double.Parse(p.Value.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture));

    private static Checkpoint ParseState(string json, ModelSpec spec, Dictionary<string, Tensor> model, Dictionary<string, Tensor> optimizer)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        int epoch = root.GetProperty("epoch").GetInt32(), batch = root.GetProperty("batch").GetInt32();
        if (epoch < 0 || batch < 0) throw new FormatException($"epoch {epoch} and batch {batch} must not be negative");
        var generators = new Dictionary<string, ulong[]>();
        foreach (var g in root.GetProperty("generators").EnumerateObject())
            generators[g.Name] = g.Value.EnumerateArray().Select(v => ulong.Parse(v.GetString()!, NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
        var history = root.GetProperty("history").EnumerateArray().Select(e => (IReadOnlyDictionary<string, double>)ReadNumbers(e)).ToList();
        var options = root.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        return new Checkpoint
        {
            Spec = spec,
            Model = model,
            Optimizer = optimizer,
            Epoch = epoch,
            Batch = batch,
            Generators = generators,
            History = history,
            Partial = ReadNumbers(root.GetProperty("partial")),
            Options = options,
        };
    }
}
