using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dendrite.Cli.Commands;
using Dendrite.Data.Preprocessing;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Spectre.Console;

namespace Dendrite.Cli.Inspect;

/// <summary>
/// <c>dendrite inspect --model FILE --data DIR|FILE.csv [--input IMAGE] --out report.html [--json FILE]</c>:
/// looks inside a trained classifier — filters, activations, attributions, adversarial robustness, the
/// graph — and writes one self-contained HTML report (and, with <c>--json</c>, the figures).
/// </summary>
internal static class InspectCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors) written by dendrite train", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "Directory with MNIST IDX files (its test set is used), or a CSV file", Required = true };
        var target = new Option<string>("--target") { Description = "CSV column holding the class" };
        var input = new Option<string>("--input", "-i") { Description = "A PNG image to look at first (made grey and resized to the model's input)" };
        var output = new Option<string>("--out", "-o") { Description = "The HTML report to write", Required = true };
        var json = new Option<string>("--json") { Description = "Also write the figures as JSON to this file" };
        var samples = new Option<int>("--samples") { Description = "Test samples for accuracy and the robustness curves", DefaultValueFactory = _ => 250 };
        var examples = new Option<int>("--examples") { Description = "Test samples shown layer by layer", DefaultValueFactory = _ => 3 };
        var epsilons = new Option<string>("--epsilons") { Description = "Perturbation sizes of the robustness curves, as fractions of the data's range", DefaultValueFactory = _ => "0,0.02,0.05,0.1,0.15,0.2,0.3" };
        var command = new Command("inspect", "Look inside a trained classifier and write an HTML report")
        {
            model, data, target, input, output, json, samples, examples, epsilons,
        };
        command.SetAction(parse =>
        {
            var clock = Stopwatch.StartNew();
            string outPath = parse.GetValue(output)!, jsonPath = parse.GetValue(json) ?? "";
            int sampleCount = parse.GetValue(samples), exampleCount = parse.GetValue(examples);
            if (sampleCount < 1) throw new CliException($"--samples must be at least 1, got {sampleCount}", usage: true);
            if (exampleCount < 0) throw new CliException($"--examples must not be negative, got {exampleCount}", usage: true);
            var eps = ParseEpsilons(parse.GetValue(epsilons)!);
            var (net, spec, facts) = ModelSource.Load(parse.GetValue(model)!);
            int outputs = spec.Output.Aggregate(1, (a, b) => a * b);
            if (outputs < 2)
                throw new CliException($"{parse.GetValue(model)}: inspect needs a classifier with one output per class; this model has {outputs}");
            var names = EvaluateCommand.ClassNames(facts, outputs);
            // The preprocessing fitted in training (stored in the model file) prepares the raw data, as evaluate does.
            var raw = LabelledData.ForEvaluation(parse.GetValue(data)!, parse.GetValue(target) ?? (facts.TryGetValue("target", out var t) ? t : null),
                Preprocessor.FromMetadata(facts), names);
            var set = LabelledData.Fit(raw, spec, "the data");
            LabelledData.CheckClasses(set, spec, "the data");
            int n = Math.Min(sampleCount, set.Count);
            if (n == 0) throw new CliException($"{parse.GetValue(data)}: no samples to inspect");
            var inputs = set.Inputs.Narrow(0, 0, n).Clone();
            var labels = set.Targets.Narrow(0, 0, n).Clone();
            (Tensor, string)? extra = null;
            if (parse.GetValue(input) is { } imagePath)
            {
                if (!File.Exists(imagePath)) throw new CliException($"{imagePath}: no such file");
                var (image, _) = PredictCommand.ReadImage(imagePath, spec, facts);
                extra = (image[0], Path.GetFileName(imagePath));
            }
            string modelName = parse.GetValue(model)!;

            Inspection result = null!;
            WithProgress(context, Inspector.Stages.Length, stage =>
            {
                var inspector = new Inspector(net, spec, names, inputs, labels, name =>
                {
                    context.Cancellation.ThrowIfCancellationRequested();
                    stage(name);
                });
                result = inspector.Run(modelName, Training(facts), exampleCount, eps, extra);
            });
            double seconds = clock.Elapsed.TotalSeconds;
            // The figures first, so an error in either leaves neither file half-written.
            var html = Encoding.UTF8.GetBytes(HtmlReport.Build(result, seconds));
            var figures = jsonPath.Length > 0 ? InspectionJson.Build(result, seconds) : null;
            AtomicFile.Write(outPath, s => s.Write(html));
            if (figures is not null) AtomicFile.Write(jsonPath, s => s.Write(figures));
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {outPath}{(figures is null ? "" : $" and {jsonPath}")} ({html.Length / 1024.0:0} KiB; accuracy {result.Accuracy:0.0000} on {n} samples; {seconds:0.0} s)"));
            return Program.Success;
        });
        return command;
    }

    private static string Training(IReadOnlyDictionary<string, string> facts)
    {
        if (!facts.TryGetValue("epochs", out var epochs) || !facts.TryGetValue("data", out var data)) return "";
        string optimizer = facts.TryGetValue("optimizer", out var o) ? o : "?", lr = facts.TryGetValue("lr", out var l) ? l : "?";
        return $"Trained {epochs} epoch{(epochs == "1" ? "" : "s")} on {data} ({optimizer}, lr {lr}). ";
    }

    internal static float[] ParseEpsilons(string text)
    {
        var values = new List<float>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!float.TryParse(part, NumberStyles.Float, CultureInfo.InvariantCulture, out float v) || !float.IsFinite(v))
                throw new CliException($"--epsilons: '{part}' is not a number", usage: true);
            if (v < 0) throw new CliException($"--epsilons: ε must not be negative, got {part}", usage: true);
            values.Add(v);
        }
        if (values.Count == 0) throw new CliException("--epsilons: give at least one value", usage: true);
        return [.. values.Distinct().Order()];
    }

    // A bar on stderr while both it and stdout are a terminal (stdout keeps only the result line); nothing
    // otherwise, so a failure stays one line and a log file gets no escape codes.
    private static void WithProgress(CliContext context, int stages, Action<Action<string>> work)
    {
        if (!context.Terminal || Console.IsErrorRedirected)
        {
            work(_ => { });
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Error) });
        console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 30 }, new PercentageColumn(), new ElapsedTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask("inspect", maxValue: stages);
                int done = -1;
                work(name =>
                {
                    done++;
                    task.Value = done;
                    task.Description = $"inspect: {Markup.Escape(name)}";
                    ctx.Refresh();
                });
                task.Value = stages;
            });
    }
}
