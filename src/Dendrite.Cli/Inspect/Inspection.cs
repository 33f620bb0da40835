using System.Diagnostics;
using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Cli.Inspect;

/// <summary>One layer's output for one sample, as a picture.</summary>
internal sealed record LayerView(string Name, string Type, string Shape, RgbImage Image);

/// <summary>One sample looked at closely: its picture, prediction, every layer's output and two attributions.</summary>
internal sealed record SampleView(string Caption, int Truth, int Predicted, float Probability, RgbImage Input,
    IReadOnlyList<LayerView> Layers, RgbImage Saliency, RgbImage IntegratedGradients);

/// <summary>A sample and its adversarial versions at one ε, with what the model makes of each.</summary>
internal sealed record AdversarialView(int Truth, RgbImage Clean, int CleanPrediction, IReadOnlyList<(string Attack, RgbImage Image, int Prediction)> Attacked,
    RgbImage Perturbation);

/// <summary>Everything <c>dendrite inspect</c> computes; <see cref="HtmlReport"/> and <see cref="InspectionJson"/> present it.</summary>
internal sealed class Inspection
{
    public required string ModelName { get; init; }
    public required ModelSpec Spec { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    /// <summary>How the model was trained, from its file's facts ("" when unknown), as a sentence.</summary>
    public string Training { get; init; } = "";
    public int Samples { get; set; }
    public float Accuracy { get; set; }
    public List<(string Layer, string Shape, RgbImage Image)> Filters { get; } = [];
    public List<SampleView> Examples { get; } = [];
    public List<(string Attack, IReadOnlyList<(float Epsilon, float Accuracy)> Curve)> Robustness { get; } = [];
    public float AdversarialEpsilon { get; set; }
    /// <summary>The width of the inputs' range (max − min over the samples): ε is reported as a fraction of it.</summary>
    public float InputRange { get; set; } = 1;
    public List<AdversarialView> Adversarial { get; } = [];
    /// <summary>The distribution of every layer's outputs over the inspected samples.</summary>
    public IReadOnlyList<LayerStats> Stats { get; set; } = [];
    /// <summary>Per class: the synthesised input that maximises its score, and the probability the model gives it.</summary>
    public List<(int Class, RgbImage Image, float Probability)> Maxima { get; } = [];
    public RgbImage? DecisionBoundary { get; set; }
    public string? GraphSvg { get; set; }
    public Dictionary<string, double> Seconds { get; } = [];
}

/// <summary>
/// Computes an <see cref="Inspection"/> of a trained classifier on labelled samples, section by section,
/// reporting each section's name to <c>stage</c> before it starts (the progress bar).
/// </summary>
internal sealed class Inspector(Sequential model, ModelSpec spec, IReadOnlyList<string> classNames, Tensor inputs, Tensor labels, Action<string> stage)
{
    /// <summary>The sections, in order, as <c>stage</c> hears them.</summary>
    public static readonly string[] Stages = ["accuracy", "filters", "examples", "distributions", "maximum-response inputs", "FGSM", "PGD", "adversarial examples", "graph"];

    private readonly bool image = spec.Input.Count == 3 && spec.Input[0] is 1 or 3;
    private readonly int classes = spec.Output.Aggregate(1, (a, b) => a * b);
    private readonly (float Low, float High) range = Range(inputs);

    /// <summary>Runs every section; <paramref name="extra"/> (from <c>--input</c>) is the first example when given.</summary>
    public Inspection Run(string modelName, string training, int examples, IReadOnlyList<float> epsilons, (Tensor Input, string Caption)? extra)
    {
        var result = new Inspection { ModelName = modelName, Training = training, Spec = spec, ClassNames = classNames, Samples = inputs.Shape[0] };
        int[] truth = labels.ToArray().Select(v => (int)v).ToArray();
        Time(result, "accuracy", () =>
        {
            var predicted = Insight.Adversarial.Predictions(model, inputs);
            result.Accuracy = predicted.Where((p, i) => p == truth[i]).Count() / (float)truth.Length;
        });
        Time(result, "filters", () =>
        {
            foreach (var (name, conv) in Insight.Filters.ConvLayers(model))
                result.Filters.Add((name, string.Join("×", conv.Weight.Shape.ToArray()), Insight.Filters.Grid(conv)));
        });
        var chosen = Pick(truth, examples);
        var shown = chosen.Select(i => (Input: inputs[i], Caption: $"test sample {i}", Truth: truth[i])).ToList();
        if (extra is { } e) shown.Insert(0, (e.Input, e.Caption, -1));
        Time(result, "examples", () =>
        {
            foreach (var (input, caption, label) in shown) result.Examples.Add(Look(input, caption, label));
        });
        Time(result, "distributions", () =>
        {
            int n = inputs.Shape[0];
            var batches = Enumerable.Range(0, (n + 255) / 256).Select(b => inputs.Narrow(0, b * 256, Math.Min(256, n - b * 256)));
            result.Stats = ActivationStats.Compute(model, batches.ToList(), bins: 40);
        });
        float lo = range.Low, hi = range.High;
        result.InputRange = hi - lo;
        Time(result, "maximum-response inputs", () =>
        {
            if (!image) return; // jitter and blur are for images
            var options = new ActivationMaximizationOptions { Min = lo, Max = hi };
            for (int c = 0; c < classes; c++)
            {
                var synthetic = ActivationMaximization.ForClass(model, [.. spec.Input], c, options);
                result.Maxima.Add((c, Picture(synthetic), Probabilities(synthetic.Unsqueeze(0))[0][c]));
            }
        });
        foreach (var attack in new[] { AdversarialAttack.Fgsm(lo, hi), AdversarialAttack.Pgd(10, min: lo, max: hi) })
            Time(result, attack.Name.StartsWith("FGSM", StringComparison.Ordinal) ? "FGSM" : "PGD", () =>
                result.Robustness.Add((attack.Name, Insight.Adversarial.RobustnessCurve(model, inputs, labels, epsilons.Select(x => x * (hi - lo)), attack))));
        Time(result, "adversarial examples", () => AdversarialExamples(result, truth));
        Time(result, "graph", () =>
        {
            var sample = inputs.Narrow(0, 0, 1).Clone();
            sample.Name = "input";
            // Evaluation mode, as the other sections run it: a training-mode pass would move batch-norm statistics.
            var output = InEvalMode(() => model.Forward(sample));
            result.GraphSvg = GraphView.ToSvg(output, new GraphViewOptions { Model = model, LeftToRight = false, MaxValues = 0 });
            if (spec.Input is [2]) result.DecisionBoundary = Insight.DecisionBoundary.Render(model, width: 320, height: 320, points: inputs, labels: labels);
        });
        return result;
    }

    private void Time(Inspection result, string name, Action section)
    {
        stage(name);
        var clock = Stopwatch.StartNew();
        section();
        result.Seconds[name] = clock.Elapsed.TotalSeconds;
    }

    // The first sample of each class in turn, so the examples show different digits.
    private static List<int> Pick(int[] truth, int count)
    {
        var picked = new List<int>();
        var seen = new HashSet<int>();
        for (int i = 0; i < truth.Length && picked.Count < count; i++)
            if (seen.Add(truth[i])) picked.Add(i);
        for (int i = 0; i < truth.Length && picked.Count < count; i++)
            if (!picked.Contains(i)) picked.Add(i);
        return picked;
    }

    private SampleView Look(Tensor input, string caption, int truth)
    {
        var probabilities = Probabilities(input.Unsqueeze(0))[0];
        int predicted = Array.IndexOf(probabilities, probabilities.Max());
        var layers = new List<LayerView>();
        foreach (var a in Activations.Capture(model, input))
        {
            if (a.Module is Flatten) continue; // the previous layer's values again
            layers.Add(new LayerView(a.Name, a.Module.GetType().Name, a.Output.Shape.ToString(), FeatureMaps.Grid(a.Output)));
        }
        var saliency = Attribution.Saliency(model, input, predicted);
        var integrated = Attribution.IntegratedGradients(model, input, predicted, steps: 64);
        return new SampleView(caption, truth, predicted, probabilities[predicted], Picture(input), layers,
            Overlaid(input, saliency, ColorMap.Viridis, reduceByMax: true), Overlaid(input, integrated, ColorMap.CoolWarm, reduceByMax: false));
    }

    // Attacks the first 64 samples at ε = 0.1 of the data's range and shows up to four that the model gets
    // right and PGD turns (others if too few turn), with PGD's perturbation on a diverging map.
    private void AdversarialExamples(Inspection result, int[] truth)
    {
        float lo = range.Low, hi = range.High, epsilon = 0.1f * (hi - lo);
        result.AdversarialEpsilon = epsilon;
        int n = Math.Min(64, inputs.Shape[0]);
        var batch = inputs.Narrow(0, 0, n).Clone();
        var y = labels.Narrow(0, 0, n).Clone();
        var clean = Insight.Adversarial.Predictions(model, batch);
        var fgsm = Insight.Adversarial.Fgsm(model, batch, y, epsilon, lo, hi);
        var pgd = Insight.Adversarial.Pgd(model, batch, y, epsilon, 10, 0.25f * epsilon, min: lo, max: hi);
        var pf = Insight.Adversarial.Predictions(model, fgsm);
        var pp = Insight.Adversarial.Predictions(model, pgd);
        var order = Enumerable.Range(0, n).Where(i => clean[i] == truth[i]).OrderBy(i => pp[i] == truth[i] ? 1 : 0).ThenBy(i => i).Take(4);
        foreach (int k in order)
        {
            var delta = pgd[k] - batch[k];
            var perturbation = image
                ? ImageGrid.Render(delta.Sum(0), ColorMap.CoolWarm, range: (-epsilon * delta.Shape[0], epsilon * delta.Shape[0]))
                : FeatureMaps.Grid(delta.Reshape(-1), ColorMap.CoolWarm, padding: 0);
            result.Adversarial.Add(new AdversarialView(truth[k], Picture(batch[k]), clean[k],
                [("FGSM", Picture(fgsm[k]), pf[k]), ("PGD-10", Picture(pgd[k]), pp[k])], perturbation));
        }
    }

    private float[][] Probabilities(Tensor batch)
    {
        Tensor p;
        using (GradMode.NoGrad()) p = InEvalMode(() => model.Forward(batch)).Reshape(batch.Shape[0], -1).Softmax(1);
        int c = p.Shape[1];
        var flat = p.ToArray();
        return Enumerable.Range(0, batch.Shape[0]).Select(i => flat.AsSpan(i * c, c).ToArray()).ToArray();
    }

    private Tensor InEvalMode(Func<Tensor> forward)
    {
        bool wasTraining = model.Training;
        model.Eval();
        try
        {
            return forward();
        }
        finally
        {
            model.Train(wasTraining);
        }
    }

    /// <summary>A sample as a picture: grey or colour on the data's range, or a strip of cells for a vector.</summary>
    internal RgbImage Picture(Tensor sample)
    {
        if (!image) return FeatureMaps.Grid(sample.Reshape(-1), padding: 0);
        return sample.Shape[0] == 1
            ? ImageGrid.Render(sample[0], ColorMap.Greys, range: range)
            : ImageGrid.Tile(sample.Unsqueeze(0), range: range, padding: 0);
    }

    private RgbImage Overlaid(Tensor sample, Tensor attribution, ColorMap map, bool reduceByMax)
    {
        if (!image) return FeatureMaps.Grid(attribution.Reshape(-1), map, padding: 0);
        // One value per pixel: the largest magnitude over channels (Simonyan et al.) or the signed sum.
        var heat = reduceByMax ? attribution.Abs().Amax([0]) : attribution.Sum(0);
        var scaled = (sample - range.Low) / (range.High - range.Low);
        return Overlay.Heatmap(scaled, heat, map);
    }

    private static (float, float) Range(Tensor data)
    {
        float lo = data.Min().Item(), hi = data.Max().Item();
        return hi > lo ? (lo, hi) : (lo, lo + 1);
    }
}
