using System.Globalization;
using System.Text.Json;
using Dendrite.Tensors;
using Dendrite.Training;

namespace Dendrite.Serialization;

/// <summary>
/// Everything needed to continue training exactly where it stopped, in one safetensors file: the model's
/// state dict (tensors <c>model.NAME</c>), the optimizer's (<c>optimizer.NAME</c>), and in the metadata
/// the model spec, the <see cref="Training.ResumePoint"/> (epochs completed, batches completed in the
/// current epoch, its running sums and metric states, the shuffle generator's state, the per-epoch
/// history, callbacks' state), the states of other random generators (initialisation/dropout) and the
/// training options as strings. Written atomically (temporary file, flush, rename), so a crash or a full
/// disk while saving leaves the previous checkpoint intact.
/// </summary>
public sealed class Checkpoint
{
    /// <summary>Metadata value of <c>format</c> that marks a checkpoint.</summary>
    public const string FormatValue = "dendrite-checkpoint";

    private const string StateKey = "dendrite.checkpoint";
    private const string ShuffleGenerator = "shuffle", LossSumKey = "loss_sum", SamplesKey = "samples";

    /// <summary>The architecture.</summary>
    public required ModelSpec Spec { get; init; }

    /// <summary>The model's state dict.</summary>
    public required IReadOnlyDictionary<string, Tensor> Model { get; init; }

    /// <summary>The optimizer's state dict (<see cref="Optim.Optimizer.StateDict"/>).</summary>
    public required IReadOnlyDictionary<string, Tensor> Optimizer { get; init; }

    /// <summary>
    /// Other tensors a run keeps (tensors <c>extra.NAME</c>), e.g. the best weights so far of a
    /// <see cref="Training.Callbacks.KeepBest"/> (<c>best.0.weight</c>, ...); empty when there are none.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Extra { get; init; } = new Dictionary<string, Tensor>();

    /// <summary>Where training stands and what the unfinished epoch has accumulated, for <see cref="Training.Trainer.Fit"/>.</summary>
    public ResumePoint ResumePoint { get; init; } = new();

    /// <summary>
    /// States of other generators by name (<see cref="Generator.GetState"/>), e.g. the model's; the name
    /// <c>shuffle</c> is the resume point's (<see cref="ResumePoint.Shuffle"/>).
    /// </summary>
    public IReadOnlyDictionary<string, ulong[]> Generators { get; init; } = new Dictionary<string, ulong[]>();

    /// <summary>The training options, so a resumed run can use the same ones.</summary>
    public IReadOnlyDictionary<string, string> Options { get; init; } = new Dictionary<string, string>();

    /// <summary>Writes the checkpoint atomically to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        if (ResumePoint.Shuffle is not null && Generators.ContainsKey(ShuffleGenerator))
            throw new ArgumentException($"Checkpoint: the generator name '{ShuffleGenerator}' is the resume point's; name the other generator differently");
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, value) in Model) tensors["model." + name] = value;
        foreach (var (name, value) in Optimizer) tensors["optimizer." + name] = value;
        foreach (var (name, value) in Extra) tensors["extra." + name] = value;
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
        var extra = new Dictionary<string, Tensor>();
        foreach (var (name, value) in tensors)
        {
            if (name.StartsWith("model.", StringComparison.Ordinal)) model[name["model.".Length..]] = value;
            else if (name.StartsWith("optimizer.", StringComparison.Ordinal)) optimizer[name["optimizer.".Length..]] = value;
            else if (name.StartsWith("extra.", StringComparison.Ordinal)) extra[name["extra.".Length..]] = value;
            else throw new InvalidDataException($"{path}: unexpected tensor '{name}' (checkpoint tensors start with model., optimizer. or extra.)");
        }
        ModelFile.CheckHolds(path, spec, model.Values, "its model tensors hold");
        try
        {
            return ParseState(state, spec, model, optimizer, extra);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or OverflowException)
        {
            throw new InvalidDataException($"{path}: the training state in the metadata is corrupt ({e.Message})", e);
        }
    }

    private string StateJson()
    {
        var point = ResumePoint;
        var generators = new Dictionary<string, ulong[]>(Generators);
        if (point.Shuffle is not null) generators[ShuffleGenerator] = point.Shuffle;
        var partial = point.Batch == 0 ? new Dictionary<string, double>()
            : new Dictionary<string, double> { [LossSumKey] = point.LossSum, [SamplesKey] = point.Samples };
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("epoch", point.Epoch);
            w.WriteNumber("batch", point.Batch);
            w.WriteStartObject("generators");
            // As decimal strings: JSON readers commonly hold numbers as doubles, which lose 64-bit words.
            foreach (var (name, words) in generators) WriteStrings(w, name, words.Select(word => word.ToString(CultureInfo.InvariantCulture)));
            w.WriteEndObject();
            w.WriteStartArray("history");
            foreach (var epoch in point.History) WriteNumbers(w, epoch);
            w.WriteEndArray();
            w.WritePropertyName("partial");
            WriteNumbers(w, partial);
            w.WriteStartObject("metrics");
            foreach (var (name, state) in point.Metrics) WriteStrings(w, name, state.Select(value => value.ToString("R", CultureInfo.InvariantCulture)));
            w.WriteEndObject();
            w.WriteStartObject("callbacks");
            foreach (var (key, state) in point.Callbacks)
            {
                w.WritePropertyName(key);
                WriteNumbers(w, state);
            }
            w.WriteEndObject();
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

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var value in values) w.WriteStringValue(value);
        w.WriteEndArray();
    }

    private static T[] ReadStrings<T>(JsonElement e, Func<string, T> parse) => e.EnumerateArray().Select(v => parse(v.GetString()!)).ToArray();

    private static double ParseDouble(string s) => double.Parse(s, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static Dictionary<string, double> ReadNumbers(JsonElement e) =>
        e.EnumerateObject().ToDictionary(p => p.Name, p => ParseDouble(p.Value.GetString()!));

    private static Checkpoint ParseState(string json, ModelSpec spec, Dictionary<string, Tensor> model, Dictionary<string, Tensor> optimizer, Dictionary<string, Tensor> extra)
    {
        // JSON allows a name twice in an object; as evidence of a run, two values for one field are a corrupt file.
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowDuplicateProperties = false });
        var root = document.RootElement;
        int epoch = root.GetProperty("epoch").GetInt32(), batch = root.GetProperty("batch").GetInt32();
        if (epoch < 0 || batch < 0) throw new FormatException($"epoch {epoch} and batch {batch} must not be negative");
        var generators = new Dictionary<string, ulong[]>();
        foreach (var g in root.GetProperty("generators").EnumerateObject())
            generators[g.Name] = ReadStrings(g.Value, v => ulong.Parse(v, NumberStyles.None, CultureInfo.InvariantCulture));
        generators.Remove(ShuffleGenerator, out var shuffle);
        var history = root.GetProperty("history").EnumerateArray().Select(e => (IReadOnlyDictionary<string, double>)ReadNumbers(e)).ToList();
        var partial = ReadNumbers(root.GetProperty("partial"));
        var metrics = new Dictionary<string, double[]>();
        if (root.TryGetProperty("metrics", out var states))
            foreach (var m in states.EnumerateObject())
                metrics[m.Name] = ReadStrings(m.Value, ParseDouble);
        // dendrite train kept its accuracy as "correct" out of "samples" before metrics could save their state.
        else if (partial.TryGetValue("correct", out double correct))
            metrics["accuracy"] = [correct, partial.GetValueOrDefault(SamplesKey)];
        var callbacks = new Dictionary<string, IReadOnlyDictionary<string, double>>();
        // Checkpoints written before callbacks could keep state have no such section.
        if (root.TryGetProperty("callbacks", out var callbackStates))
            foreach (var c in callbackStates.EnumerateObject()) callbacks[c.Name] = ReadNumbers(c.Value);
        var options = root.GetProperty("options").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        return new Checkpoint
        {
            Spec = spec,
            Model = model,
            Optimizer = optimizer,
            Extra = extra,
            ResumePoint = new ResumePoint
            {
                Epoch = epoch,
                Batch = batch,
                LossSum = partial.GetValueOrDefault(LossSumKey),
                Samples = (long)partial.GetValueOrDefault(SamplesKey),
                Metrics = metrics,
                Shuffle = shuffle,
                History = history,
                Callbacks = callbacks,
            },
            Generators = generators,
            Options = options,
        };
    }
}
