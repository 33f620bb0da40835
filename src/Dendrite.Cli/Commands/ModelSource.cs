using Dendrite.NN;
using Dendrite.Serialization;

namespace Dendrite.Cli.Commands;

/// <summary>Turns the <c>--model</c> argument into a spec or a trained model.</summary>
internal static class ModelSource
{
    /// <summary>True when <paramref name="path"/> names a safetensors model file rather than a JSON spec.</summary>
    public static bool IsModelFile(string path) =>
        File.Exists(path) && !path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && StartsLikeSafeTensors(path);

    /// <summary>
    /// A spec from a JSON file, a model file's stored spec, or a built-in name; for names,
    /// <paramref name="inputs"/> and <paramref name="outputs"/> size the model to the data.
    /// </summary>
    public static ModelSpec Spec(string model, int? inputs = null, int? outputs = null)
    {
        if (File.Exists(model))
        {
            if (IsModelFile(model)) return ModelFile.Load(model).Spec;
            try
            {
                return ModelSpec.Parse(File.ReadAllText(model));
            }
            catch (ModelSpecException e)
            {
                throw new CliException($"{model}: {e.Message}");
            }
        }
        if (model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || model.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase)
            || model.Contains('/') || model.Contains('\\'))
            throw new CliException($"{model}: no such file");
        // LeNet's input is fixed at [1, 28, 28]; only the other built-ins take their input size from the data.
        if (model.Trim().StartsWith("lenet", StringComparison.OrdinalIgnoreCase)) inputs = null;
        try
        {
            return ModelSpec.FromName(model, inputs, outputs);
        }
        catch (ModelSpecException e)
        {
            throw new CliException(e.Message);
        }
    }

    /// <summary>A trained model file (safetensors written by <c>dendrite train</c> or <see cref="ModelFile.Save"/>).</summary>
    public static (Sequential Model, ModelSpec Spec, IReadOnlyDictionary<string, string> Facts) Load(string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such model file");
        return ModelFile.Load(path);
    }

    private static bool StartsLikeSafeTensors(string path)
    {
        // A JSON spec starts with '{' or whitespace; a safetensors file with an 8-byte little-endian length.
        using var stream = File.OpenRead(path);
        int first = stream.ReadByte();
        return first >= 0 && first != '{' && !char.IsWhiteSpace((char)first) && first != '/';
    }
}
