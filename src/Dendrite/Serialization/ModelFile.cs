using System.Globalization;
using Module = Dendrite.NN.Module;
using System.Text;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Serialization;

/// <summary>
/// A trained model in one file: a safetensors file whose tensors are the model's state dict under
/// PyTorch's names (<c>0.weight</c>, <c>1.running_mean</c>, ...; <c>num_batches_tracked</c> as I64, as
/// PyTorch writes it) and whose <c>__metadata__</c> holds the architecture (<see cref="SpecKey"/>, the
/// spec's JSON) and training facts (epochs, accuracy, date, ...; the Dendrite version is added as
/// <see cref="VersionKey"/>). PyTorch can load the tensors into an <c>nn.Sequential</c> of the same layers.
/// </summary>
public static class ModelFile
{
    /// <summary>Metadata key holding the model spec JSON.</summary>
    public const string SpecKey = "dendrite.spec";

    /// <summary>Metadata key holding the Dendrite version that wrote the file.</summary>
    public const string VersionKey = "dendrite.version";

    /// <summary>Metadata key naming the format, so other safetensors files are recognised as such.</summary>
    public const string FormatKey = "format";

    private const string FormatValue = "dendrite-model";

    /// <summary>The version of this library, as written into model files.</summary>
    public static string DendriteVersion { get; } =
        System.Reflection.CustomAttributeExtensions.GetCustomAttribute<System.Reflection.AssemblyInformationalVersionAttribute>(typeof(ModelFile).Assembly)?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelFile).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>
    /// Saves <paramref name="model"/> (built from <paramref name="spec"/>) with <paramref name="facts"/>.
    /// Fails before writing anything when the model's parameters do not fit the spec. Atomic, like
    /// <see cref="SafeTensors.Save(string, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?)"/>.
    /// </summary>
    public static void Save(string path, Module model, ModelSpec spec, IDictionary<string, string>? facts = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(spec);
        var state = model.StateDict();
        if (Misfit(spec, state, $"ModelFile.Save ({path}): the model does not fit its spec") is { } problem)
            throw new ArgumentException(problem);
        var metadata = new Dictionary<string, string> { [FormatKey] = FormatValue, [SpecKey] = spec.ToJson(indented: false), [VersionKey] = DendriteVersion };
        if (facts is not null)
        {
            foreach (var (key, value) in facts)
            {
                if (key is SpecKey or FormatKey)
                    throw new ArgumentException($"ModelFile.Save: the fact name '{key}' is reserved");
                metadata[key] = value ?? throw new ArgumentException($"ModelFile.Save: fact '{key}' is null");
            }
        }
        SafeTensors.Save(path,
            state.Select(s => new SafeTensors.Entry(s.Key, s.Value, s.Key.EndsWith("num_batches_tracked", StringComparison.Ordinal) ? "I64" : "F32")),
            metadata);
    }

    /// <summary>
    /// Loads a model file: builds the model from the stored spec, fills in the stored tensors and returns it
    /// in evaluation mode (call <see cref="Module.Train"/> to train on), with the spec and the facts (all
    /// metadata except the spec and format keys). Errors name the file: not a model file, a spec that does
    /// not parse, tensors missing, unexpected or mis-shaped for the spec.
    /// </summary>
    public static (Sequential Model, ModelSpec Spec, IReadOnlyDictionary<string, string> Facts) Load(string path)
    {
        var (tensors, metadata) = SafeTensors.Load(path);
        if (!metadata.TryGetValue(SpecKey, out var json))
            throw new InvalidDataException(
                $"{path}: not a Dendrite model file (no '{SpecKey}' in its metadata); read its tensors with SafeTensors.Load");
        ModelSpec spec;
        try
        {
            spec = ModelSpec.Parse(json);
        }
        catch (ModelSpecException e)
        {
            throw new InvalidDataException($"{path}: the stored model spec is invalid: {e.Message}", e);
        }
        CheckHolds(path, spec, tensors.Values, "the file holds");
        if (Misfit(spec, tensors, $"{path}: the tensors do not fit the stored spec") is { } misfit)
            throw new InvalidDataException(misfit);
        // A private generator: the initial weights are overwritten, and loading must not move the global RNG.
        var model = spec.BuildUnchecked(new Generator(0));
        model.LoadStateDict(tensors);
        model.Eval();
        var facts = metadata.Where(m => m.Key is not (SpecKey or FormatKey)).ToDictionary(m => m.Key, m => m.Value);
        return (model, spec, facts);
    }

    /// <summary>
    /// Refuses a stored spec whose parameters are not all in <paramref name="tensors"/> before anything is
    /// built from it: a small file whose spec claims a huge layer would otherwise allocate that layer only to
    /// find its weights missing. The spec is also checked against the memory budget.
    /// </summary>
    internal static void CheckHolds(string path, ModelSpec spec, IEnumerable<Tensor> tensors, string where)
    {
        long stored = tensors.Sum(t => (long)t.Numel);
        if (spec.Parameters > stored)
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"{path}: the stored model spec has {spec.Parameters:N0} parameters but {where} only {stored:N0} values (corrupt or not written by this spec)"));
        spec.CheckMemory(path);
    }

    /// <summary>Says how <paramref name="state"/>'s names and shapes differ from those of a model built from <paramref name="spec"/>, or null.</summary>
    private static string? Misfit(ModelSpec spec, IReadOnlyDictionary<string, Tensor> state, string what)
    {
        // Unchecked: on save the model already exists, on load CheckHolds has bounded the spec by the file.
        var expected = spec.BuildUnchecked(new Generator(0)).StateDict().ToDictionary(s => s.Key, s => s.Value.Shape);
        var missing = expected.Keys.Where(k => !state.ContainsKey(k)).ToList();
        var unexpected = state.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        var misShaped = expected.Where(e => state.TryGetValue(e.Key, out var t) && t.Shape != e.Value)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}: spec needs {e.Value}, got {state[e.Key].Shape}")).ToList();
        if (missing.Count == 0 && unexpected.Count == 0 && misShaped.Count == 0) return null;
        var message = new StringBuilder(what).Append('.');
        if (missing.Count > 0) message.Append(" Missing: ").Append(string.Join(", ", missing)).Append('.');
        if (unexpected.Count > 0) message.Append(" Unexpected: ").Append(string.Join(", ", unexpected)).Append('.');
        if (misShaped.Count > 0) message.Append(" Wrong shape: ").Append(string.Join("; ", misShaped)).Append('.');
        return message.ToString();
    }
}
