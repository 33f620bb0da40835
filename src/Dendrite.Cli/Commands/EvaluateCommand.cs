using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dendrite.Data;
using Dendrite.Data.Preprocessing;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Training;
using Dendrite.Training.Metrics;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite evaluate --model FILE --data DIR|FILE.csv</c>: loss, accuracy, per-class precision, recall
/// and F1, and the confusion matrix, on the test set of an MNIST directory or on every row of a CSV.
/// </summary>
internal static class EvaluateCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors) written by dendrite train", Required = true };
        var data = new Option<string>("--data", "-d") { Description = "Directory with MNIST IDX files (its test set is used), or a CSV file", Required = true };
        var target = new Option<string>("--target") { Description = "CSV column holding the class" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of tables" };
        var command = new Command("evaluate", "Measure a trained model: loss, accuracy, per-class precision/recall/F1, confusion matrix")
        {
            model, data, target, json,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(model)!;
            var (net, spec, facts) = ModelSource.Load(path);
            int outputs = spec.Output.Aggregate(1, (a, b) => a * b);
            // One output (a perceptron) is a binary classifier: output 1 is the second class.
            int classes = outputs == 1 ? 2 : outputs;
            var names = ClassNames(facts, classes);
            // The preprocessing fitted in training (stored in the model file) prepares the raw data here too.
            var raw = LabelledData.ForEvaluation(parse.GetValue(data)!, parse.GetValue(target) ?? (facts.TryGetValue("target", out var t) ? t : null),
                Preprocessor.FromMetadata(facts), names);
            var set = LabelledData.Fit(raw, spec, "the data");
            LabelledData.CheckClasses(set, spec, "the data");
            // A single 0/1 output has no cross-entropy; its squared error is the fraction it gets wrong.
            Loss loss = outputs == 1 ? new MseLoss() : new CrossEntropyLoss();
            if (outputs == 1) set = new TensorDataset(set.Inputs, set.Targets.Reshape(set.Count, 1));
            var confusion = new ConfusionMatrix(classes);
            // The optimizer is never stepped; the Trainer needs one to exist.
            var trainer = new Trainer(net, loss, new Sgd(net.Parameters(), 0.1f), new Accuracy(), confusion);
            var results = trainer.Evaluate(new DataLoader(set, 256));
            if (parse.GetValue(json)) WriteJson(context, results, confusion, names, set.Count);
            else WriteTables(context, results, confusion, names, set.Count);
            return Program.Success;
        });
        return command;
    }

    internal static string[] ClassNames(IReadOnlyDictionary<string, string> facts, int classes)
    {
        if (facts.TryGetValue("classes", out var stored))
        {
            var names = stored.Split(',');
            if (names.Length == classes) return names;
        }
        return Enumerable.Range(0, classes).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
    }

    private static void WriteJson(CliContext context, IReadOnlyDictionary<string, double> results, ConfusionMatrix m, string[] names, int samples)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteNumber("samples", samples);
            w.WriteNumber("loss", results["loss"]);
            w.WriteNumber("accuracy", results["accuracy"]);
            w.WriteNumber("macro_f1", Finite(m.MacroF1()));
            w.WriteStartArray("classes");
            for (int c = 0; c < names.Length; c++)
            {
                w.WriteStartObject();
                w.WriteString("class", names[c]);
                w.WriteNumber("precision", Finite(m.Precision(c)));
                w.WriteNumber("recall", Finite(m.Recall(c)));
                w.WriteNumber("f1", Finite(m.F1(c)));
                w.WriteNumber("support", Enumerable.Range(0, names.Length).Sum(p => m[c, p]));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("confusion_matrix");
            for (int a = 0; a < names.Length; a++)
            {
                w.WriteStartArray();
                for (int p = 0; p < names.Length; p++) w.WriteNumberValue(m[a, p]);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    // JSON has no NaN; a class never predicted has no precision, written as 0 as scikit-learn does.
    private static double Finite(double v) => double.IsFinite(v) ? v : 0;

    private static void WriteTables(CliContext context, IReadOnlyDictionary<string, double> results, ConfusionMatrix m, string[] names, int samples)
    {
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{samples:N0} samples  loss {results["loss"]:0.0000}  accuracy {results["accuracy"]:0.0000}  macro F1 {Finite(m.MacroF1()):0.0000}"));
        var perClass = new Table().Border(TableBorder.Simple).AddColumn("class")
            .AddColumn(new TableColumn("precision").RightAligned()).AddColumn(new TableColumn("recall").RightAligned())
            .AddColumn(new TableColumn("F1").RightAligned()).AddColumn(new TableColumn("support").RightAligned());
        for (int c = 0; c < names.Length; c++)
            perClass.AddRow(Markup.Escape(names[c]), F(m.Precision(c)), F(m.Recall(c)), F(m.F1(c)),
                Enumerable.Range(0, names.Length).Sum(p => m[c, p]).ToString(CultureInfo.InvariantCulture));
        context.Console.Write(perClass);
        var matrix = new Table().Border(TableBorder.Simple).Title("confusion matrix (rows: actual, columns: predicted)").AddColumn("");
        foreach (var n in names) matrix.AddColumn(new TableColumn(Markup.Escape(n)).RightAligned());
        for (int a = 0; a < names.Length; a++)
            matrix.AddRow([Markup.Escape(names[a]), .. Enumerable.Range(0, names.Length).Select(p => m[a, p].ToString(CultureInfo.InvariantCulture))]);
        context.Console.Write(matrix);
    }

    private static string F(double v) => double.IsFinite(v) ? v.ToString("0.0000", CultureInfo.InvariantCulture) : "-";
}
