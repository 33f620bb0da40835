using System.CommandLine;
using Dendrite.Data.Preprocessing;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Cli.Commands;

/// <summary><c>dendrite export --model FILE --format onnx --out FILE.onnx</c>.</summary>
internal static class ExportCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors) written by dendrite train", Required = true };
        var format = new Option<string>("--format") { Description = "Output format (onnx, opset 13)", DefaultValueFactory = _ => "onnx" };
        format.AcceptOnlyFromAmong("onnx");
        var output = new Option<string>("--out", "-o") { Description = "File to write", Required = true };
        var command = new Command("export", "Export a trained model to ONNX") { model, format, output };
        command.SetAction(parse =>
        {
            var (net, spec, facts) = ModelSource.Load(parse.GetValue(model)!);
            string path = parse.GetValue(output)!;
            // The standardisation fitted in training goes into the graph; one-hot encoding and imputation
            // turn text into numbers and stay outside it (the ONNX input is the encoded row).
            var preprocessor = Preprocessor.FromMetadata(facts);
            OnnxExporter.Export(net, spec, path, preprocessor?.Scaler);
            string scaling = preprocessor?.Scaler is null ? "" : "; standardises its input as in training";
            string encoded = preprocessor?.Columns.Any(c => c.Encoder is not null) == true ? $"; input columns one-hot encoded: {Encoded(preprocessor)}" : "";
            context.Out.WriteLine($"wrote {path} (ONNX opset {OnnxExporter.Opset}, input \"input\" [N, {string.Join(", ", spec.Input)}]{scaling}{encoded})");
            return Program.Success;
        });
        return command;
    }

    private static string Encoded(Preprocessor p) =>
        string.Join(", ", p.Columns.Select(c => c.Encoder is { } e ? $"{c.Name} → {string.Join("/", e.Categories)}" : c.Name));
}
