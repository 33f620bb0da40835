using System.Globalization;
using Dendrite.Data.Preprocessing;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite train --model perceptron</c>: Rosenblatt's perceptron (linear 1 → step, the spec
/// <c>summary --model perceptron</c> shows, sized to the data) trained by the perceptron rule
/// (<see cref="PerceptronRule"/>), not by gradient descent — the step has no gradient. One perceptron
/// separates two classes: the second class name (sorted) is output 1. The data's preprocessing, split and
/// final accuracy line are those of any run; there is no checkpoint, as a pass of the rule takes moments.
/// </summary>
internal sealed class PerceptronRun(CliContext context, TrainOptions options)
{
    // The rule stops by itself after a pass without mistakes; on data that no line separates it runs them all.
    private const int DefaultEpochs = 100;

    public static bool Wanted(TrainOptions options) =>
        string.Equals(options.Model?.Trim(), "perceptron", StringComparison.OrdinalIgnoreCase);

    public int Run()
    {
        if (options.Resume is not null)
            throw new CliException("train: a perceptron run has no checkpoint to resume; run it again (it takes moments)", usage: true);
        if (options.ValidationSplit > 0 || options.EarlyStopping is not null || options.Schedule != "none")
            throw new CliException("train: --val-split, --early-stopping and --lr-schedule are for gradient descent; the perceptron rule takes none of them", usage: true);
        options.Validate(null);
        var data = LabelledData.ForTraining(options);
        if (data.Classes != 2)
            throw new CliException($"{options.Data}: a perceptron separates two classes, and the data has {data.Classes}; use mlp:HIDDEN for more");
        var spec = ModelSource.Spec("perceptron", data.SampleSize, 1);
        int epochs = options.Epochs ?? DefaultEpochs;
        float eta = options.LearningRate ?? 1f;
        var inputs = data.Train.Inputs.Reshape(data.Train.Count, data.SampleSize);
        context.Out.WriteLine($"training a perceptron (1 layer: linear {data.SampleSize} → 1, step) on {data.Train.Count:N0} samples with the perceptron rule " +
                              $"w ← w + η(t − y)x, η = {eta.ToString(CultureInfo.InvariantCulture)}, up to {epochs} passes; output 1 is class '{data.ClassNames[1]}'");

        var rule = new PerceptronRule(data.SampleSize);
        var mistakes = rule.Fit(inputs, data.Train.Targets, epochs, eta);
        context.Out.WriteLine(mistakes[^1] == 0
            ? $"converged after {mistakes.Count} passes (mistakes per pass: {string.Join(", ", mistakes.Take(10))}{(mistakes.Count > 10 ? ", ..." : "")})"
            : $"not converged after {mistakes.Count} passes ({mistakes[^1]} mistakes in the last): no line separates the training data");

        var model = spec.Build(new Generator(options.Seed));
        model.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["0.weight"] = rule.Weights.Reshape(1, data.SampleSize),
            ["0.bias"] = Tensor.FromArray([rule.Bias], 1),
        });

        string outDir = options.Out ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(outDir);
        var final = data.Test ?? data.Train;
        string finalName = data.Test is null ? "training" : "test";
        var predicted = rule.Predict(final.Inputs.Reshape(final.Count, data.SampleSize)).ToArray();
        var targets = final.Targets.ToArray();
        double accuracy = predicted.Where((p, i) => p == targets[i]).Count() / (double)final.Count;

        var facts = new Dictionary<string, string>
        {
            ["epochs"] = mistakes.Count.ToString(CultureInfo.InvariantCulture),
            ["data"] = options.Data!,
            ["optimizer"] = "perceptron rule",
            ["lr"] = eta.ToString("R", CultureInfo.InvariantCulture),
            ["classes"] = string.Join(",", data.ClassNames),
            ["target"] = options.Target ?? "",
            [$"{finalName}_accuracy"] = accuracy.ToString("R", CultureInfo.InvariantCulture),
        };
        if (data.Preprocessor is { } preprocessor) facts[Preprocessor.MetadataKey] = preprocessor.ToJson();
        string modelPath = Path.Combine(outDir, "model.safetensors");
        ModelFile.Save(modelPath, model, spec, facts);
        context.Out.WriteLine($"wrote {modelPath}");
        context.Out.WriteLine($"{finalName} accuracy: {accuracy.ToString("0.0000", CultureInfo.InvariantCulture)} ({final.Count:N0} samples)");
        return Program.Success;
    }
}
