using System.CommandLine;
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
            var (net, spec, _) = ModelSource.Load(parse.GetValue(model)!);
            string path = parse.GetValue(output)!;
            OnnxExporter.Export(net, spec, path);
            context.Out.WriteLine($"wrote {path} (ONNX opset {OnnxExporter.Opset}, input \"input\" [N, {string.Join(", ", spec.Input)}])");
            return Program.Success;
        });
        return command;
    }
}
