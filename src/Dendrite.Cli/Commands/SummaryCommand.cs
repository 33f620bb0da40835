using System.CommandLine;
using System.Globalization;
using Dendrite.Serialization;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary><c>dendrite summary --model FILE|SPEC|NAME</c>: a Keras-like table of layers, output shapes and parameters.</summary>
internal static class SummaryCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors), spec (.json) or built-in name (lenet5, mlp:256,128, ...)", Required = true };
        var command = new Command("summary", "Show a model's layers, output shapes, parameter counts and multiply-adds") { model };
        command.SetAction(parse =>
        {
            var spec = ModelSource.Spec(parse.GetValue(model)!);
            Print(context, spec);
            return Program.Success;
        });
        return command;
    }

    public static void Print(CliContext context, ModelSpec spec)
    {
        var layers = spec.InferShapes();
        var table = new Table().Border(TableBorder.Simple)
            .AddColumn("#").AddColumn("Layer").AddColumn("Output shape").AddColumn(new TableColumn("Param #").RightAligned())
            .AddColumn(new TableColumn("Mult-adds").RightAligned());
        table.AddRow("", "input", Markup.Escape(Shape(spec.Input)), "", "");
        foreach (var l in layers)
            table.AddRow(l.Index.ToString(CultureInfo.InvariantCulture), l.Type, Markup.Escape(Shape(l.OutputShape)), Count(l.Parameters), Count(l.MultiplyAdds));
        context.Console.Write(table);
        long parameters = spec.Parameters, madds = spec.MultiplyAdds;
        context.Out.WriteLine($"Total params: {Count(parameters)} ({parameters * 4.0 / 1024:0.0} KiB as float32)");
        context.Out.WriteLine($"Multiply-adds per sample: {Count(madds)}");
    }

    private static string Shape(IEnumerable<int> shape) => "[" + string.Join(", ", shape) + "]";

    internal static string Count(long n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
