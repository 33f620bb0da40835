using System.Globalization;
using Dendrite.Playground.Networks;
using Dendrite.Serialization;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Playground.Sessions;

/// <summary>A session's network as a Dendrite model file (safetensors with its spec) or as ONNX.</summary>
internal static class ModelExport
{
    public static readonly IReadOnlyList<string> Formats = ["dendrite", "onnx"];

    /// <summary>
    /// The bytes of the export. The model file is written by <see cref="ModelFile.Save"/> into the server's own
    /// temporary folder (under a name the server makes) and read back; nothing a request names is a path.
    /// </summary>
    public static byte[] Export(NetworkTrainer trainer, string format, string temporaryFolder)
    {
        var model = trainer.Network.Model;
        int[] input = [trainer.Network.Inputs];
        if (format == "onnx") return OnnxExporter.ToBytes(model, input);
        var spec = ModelSpec.FromModel(model, input);
        var facts = new Dictionary<string, string>
        {
            ["source"] = "dendrite playground",
            ["dataset"] = trainer.Config.Dataset,
            ["epochs"] = trainer.Epoch.ToString(CultureInfo.InvariantCulture),
            ["inputs"] = string.Join(",", trainer.Data.ColumnNames),
        };
        if (trainer.Data.Classes is { } classes) facts["classes"] = string.Join(",", classes);
        if (trainer.Data.Target is { } target) facts["target"] = target;
        var (_, accuracy) = trainer.Evaluate(trainer.Data.TestX, trainer.Data.TestY);
        if (double.IsFinite(accuracy)) facts["test_accuracy"] = accuracy.ToString("0.####", CultureInfo.InvariantCulture);
        string path = Path.Combine(temporaryFolder, $"model-{Guid.NewGuid():N}.safetensors");
        try
        {
            ModelFile.Save(path, model, spec, facts);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
