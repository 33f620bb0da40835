using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Formats;
using Dendrite.Data.Preprocessing;
using Dendrite.Data.Transforms;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite predict --model FILE --input IMAGE.png|FILE.csv</c>: the class and the probabilities
/// (softmax of the outputs) for an image, or for every row of a CSV (its target column, if present, is ignored).
/// </summary>
internal static class PredictCommand
{
    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model file (.safetensors) written by dendrite train", Required = true };
        var input = new Option<string>("--input", "-i") { Description = "A PNG image (made grey and resized to the model's input) or a CSV of feature rows", Required = true };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per input" };
        var command = new Command("predict", "Classify an image or the rows of a CSV with a trained model") { model, input, json };
        command.SetAction(parse =>
        {
            var (net, spec, facts) = ModelSource.Load(parse.GetValue(model)!);
            string path = parse.GetValue(input)!;
            if (!File.Exists(path)) throw new CliException($"{path}: no such file");
            var (inputs, labels) = path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? ReadCsv(path, spec, facts) : ReadImage(path, spec, facts);
            Tensor probabilities;
            using (GradMode.NoGrad())
            {
                var outputs = net.Forward(inputs).Reshape(inputs.Shape[0], -1);
                // One output (a perceptron's step, or a sigmoid) is the probability of the second class.
                probabilities = outputs.Shape[1] == 1 ? Tensor.Cat([1f - outputs, outputs], 1) : outputs.Softmax(1);
            }
            var names = EvaluateCommand.ClassNames(facts, probabilities.Shape[1]);
            float[] p = probabilities.ToArray();
            int classes = names.Length;
            for (int i = 0; i < labels.Count; i++)
            {
                var row = p.AsSpan(i * classes, classes).ToArray();
                int best = 0;
                for (int c = 1; c < classes; c++) if (row[c] > row[best]) best = c;
                if (parse.GetValue(json))
                {
                    using var stream = new MemoryStream();
                    using (var w = new Utf8JsonWriter(stream))
                    {
                        w.WriteStartObject();
                        w.WriteString("input", labels[i]);
                        w.WriteString("class", names[best]);
                        w.WriteNumber("probability", row[best]);
                        w.WriteStartObject("probabilities");
                        for (int c = 0; c < classes; c++) w.WriteNumber(names[c], row[c]);
                        w.WriteEndObject();
                        w.WriteEndObject();
                    }
                    context.Out.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
                }
                else
                {
                    string all = string.Join("  ", Enumerable.Range(0, classes).Select(c => string.Create(CultureInfo.InvariantCulture, $"{names[c]}:{row[c]:0.000}")));
                    context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{labels[i]}: class {names[best]} ({row[best]:0.0000})   {all}"));
                }
            }
            return Program.Success;
        });
        return command;
    }

    internal static (Tensor, List<string>) ReadImage(string path, ModelSpec spec, IReadOnlyDictionary<string, string> facts)
    {
        var (inputs, labels) = ReadPixels(path, spec);
        // Pixels in [0, 1], then the normalisation the model was trained with.
        return (Preprocessor.FromMetadata(facts)?.Scale(inputs) ?? inputs, labels);
    }

    private static (Tensor, List<string>) ReadPixels(string path, ModelSpec spec)
    {
        var image = Png.Read(path);
        if (spec.Input.Count != 3)
        {
            // An MLP on flattened images: treat its input as a square grey image.
            int n = spec.Input.Aggregate(1, (a, b) => a * b), side = (int)Math.Round(Math.Sqrt(n));
            if (side * side != n)
                throw new CliException($"{path}: the model's input [{string.Join(", ", spec.Input)}] is not an image; predict on a CSV instead");
            var flat = new Resize(side, side).Apply(image.ToTensor(1));
            return (flat.Reshape([1, .. spec.Input]), [path]);
        }
        int channels = spec.Input[0], height = spec.Input[1], width = spec.Input[2];
        if (channels is not (1 or 3 or 4)) throw new CliException($"{path}: the model expects {channels} channels; images have 1, 3 or 4");
        var t = image.ToTensor(channels);
        if (image.Height != height || image.Width != width) t = new Resize(height, width).Apply(t);
        return (t.Reshape(1, channels, height, width), [path]);
    }

    private static (Tensor, List<string>) ReadCsv(string path, ModelSpec spec, IReadOnlyDictionary<string, string> facts)
    {
        // The model's stored preprocessing reads the columns by name, so a target column, if present, is ignored.
        var features = LabelledData.Features(path, Preprocessor.FromMetadata(facts), facts.TryGetValue("target", out var t) && t.Length > 0 ? t : null);
        var inputs = LabelledData.Fit(new TensorDataset(features, Tensor.Zeros(features.Shape[0])), spec, path).Inputs;
        return (inputs, Enumerable.Range(1, features.Shape[0]).Select(i => $"row {i}").ToList());
    }
}
