using System.Diagnostics.CodeAnalysis;
using Dendrite.NN.Layers;
using Dendrite.Playground.Web;

namespace Dendrite.Playground.Networks;

/// <summary>
/// Everything the page's controls set, as the page sends it (and as its URL keeps it). Changing the data, the
/// features, the layers, the problem or the seed builds a new network; the rest (learning rate, batch size,
/// regularisation, optimizer) applies to the running one.
/// </summary>
public sealed record NetworkConfig
{
    /// <summary>circle, xor, gaussian, spiral (classification); plane, multigaussian (regression); points (clicked); csv (uploaded).</summary>
    public string Dataset { get; init; } = "circle";

    /// <summary>classification (softmax + cross-entropy) or regression (one linear output + mean squared error).</summary>
    public string Problem { get; init; } = "classification";

    /// <summary>Noise of a generated set, 0 to 50 (the percentage TensorFlow Playground's slider shows).</summary>
    public double Noise { get; init; }

    /// <summary>Percentage of the rows used for training, 10 to 90; the rest is the test set (clicked points are all training).</summary>
    public int TrainRatio { get; init; } = 50;

    /// <summary>Samples generated for a synthetic set.</summary>
    public int Samples { get; init; } = 500;

    public int BatchSize { get; init; } = 10;

    /// <summary>
    /// Epochs trained per frame the page draws while playing (TensorFlow Playground trains one), so learning can
    /// be watched; 0 trains as fast as the server can, drawing whenever the page is ready.
    /// </summary>
    public int EpochsPerFrame { get; init; } = 10;

    public float LearningRate { get; init; } = 0.03f;

    /// <summary>A name <see cref="Optim.Optimizers"/> knows: sgd, momentum, adam, adamw, rmsprop, adagrad.</summary>
    public string Optimizer { get; init; } = "sgd";

    /// <summary>none, l1 or l2: a penalty on the weights (not the biases) added to the training loss.</summary>
    public string Regularization { get; init; } = "none";

    public float RegularizationRate { get; init; }

    /// <summary>Inputs made from a 2-D point: x1, x2, x1sq, x2sq, x1x2, sinx1, sinx2 (CSV data uses its own columns).</summary>
    public IReadOnlyList<string> Features { get; init; } = ["x1", "x2"];

    public IReadOnlyList<LayerConfig> Layers { get; init; } = [new(4), new(2)];

    /// <summary>Seeds the data, the initial weights, the shuffling and dropout: one seed, one run.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The clicked points, [x, y, class] (or [x, y, value] for regression), for <c>dataset = points</c>.</summary>
    public IReadOnlyList<float[]>? Points { get; init; }

    /// <summary>The two input columns the 2-D views show (CSV data with more than two features).</summary>
    public IReadOnlyList<int> View { get; init; } = [0, 1];

    public static readonly IReadOnlyList<string> SyntheticClassification = ["circle", "xor", "gaussian", "spiral"];
    public static readonly IReadOnlyList<string> SyntheticRegression = ["plane", "multigaussian"];
    public static readonly IReadOnlyList<string> Activations = ["tanh", "relu", "sigmoid", "linear", "leakyrelu"];
    public static IReadOnlyList<string> OptimizerNames => Optim.Optimizers.Names;

    private static readonly (string Name, FeatureSet Flag)[] FeatureNames =
    [
        ("x1", FeatureSet.X1), ("x2", FeatureSet.X2), ("x1sq", FeatureSet.X1Squared), ("x2sq", FeatureSet.X2Squared),
        ("x1x2", FeatureSet.X1X2), ("sinx1", FeatureSet.SinX1), ("sinx2", FeatureSet.SinX2),
    ];

    /// <summary>The names of the 2-D features, in the order a <see cref="FeatureMap"/> outputs them.</summary>
    public static IReadOnlyList<string> FeatureOrder { get; } = Array.ConvertAll(FeatureNames, f => f.Name);

    public bool IsRegression => Problem == "regression";

    /// <summary>The chosen 2-D features as a <see cref="FeatureSet"/>.</summary>
    public FeatureSet FeatureFlags()
    {
        var set = FeatureSet.None;
        foreach (var name in Features)
        {
            int i = Array.FindIndex(FeatureNames, f => f.Name == name);
            if (i < 0) throw HttpError.BadRequest($"unknown feature '{name}' (use {string.Join(", ", FeatureOrder)})");
            set |= FeatureNames[i].Flag;
        }
        return set;
    }

    /// <summary>True when the two configs build different networks or data (rather than training the same one differently).</summary>
    public bool RebuildsFrom(NetworkConfig other) =>
        Dataset != other.Dataset || Problem != other.Problem || Noise != other.Noise || TrainRatio != other.TrainRatio
        || Samples != other.Samples || Seed != other.Seed || !Features.SequenceEqual(other.Features)
        || !Layers.SequenceEqual(other.Layers) || !View.SequenceEqual(other.View) || !SamePoints(Points, other.Points);

    private static bool SamePoints(IReadOnlyList<float[]>? a, IReadOnlyList<float[]>? b) =>
        a is null || b is null ? a is null && b is null : a.Count == b.Count && a.Zip(b).All(p => p.First.AsSpan().SequenceEqual(p.Second));

    /// <summary>Checks every field against the limits; the message names the field and the allowed range.</summary>
    public void Validate(PlaygroundLimits limits)
    {
        Require(Features is not null && Layers is not null && View is not null && Dataset is not null && Problem is not null
            && Optimizer is not null && Regularization is not null, "dataset, problem, optimizer, regularization, features, layers and view must not be null");
        string[] datasets = [.. SyntheticClassification, .. SyntheticRegression, "points", "csv"];
        Require(datasets.Contains(Dataset), $"unknown dataset '{Dataset}' (use {string.Join(", ", datasets)})");
        Require(Problem is "classification" or "regression", $"unknown problem '{Problem}' (use classification or regression)");
        Require(!(IsRegression && SyntheticClassification.Contains(Dataset)), $"'{Dataset}' is a classification set; pick plane or multigaussian for regression");
        Require(IsRegression || !SyntheticRegression.Contains(Dataset), $"'{Dataset}' is a regression set; set the problem to regression");
        Require(Noise is >= 0 and <= 50, $"noise must be 0 to 50, got {Noise}");
        Require(TrainRatio is >= 10 and <= 90, $"trainRatio must be 10 to 90 (percent), got {TrainRatio}");
        Require(Samples >= 10 && Samples <= limits.MaxRows, $"samples must be 10 to {limits.MaxRows} (the row limit), got {Samples}");
        Require(BatchSize is >= 1 and <= 1000, $"batchSize must be 1 to 1000, got {BatchSize}");
        Require(EpochsPerFrame is >= 0 and <= 1000, $"epochsPerFrame must be 0 (as fast as possible) to 1000, got {EpochsPerFrame}");
        Require(float.IsFinite(LearningRate) && LearningRate is > 0 and <= 10, $"learningRate must be in (0, 10], got {LearningRate}");
        Require(OptimizerNames.Contains(Optimizer), $"unknown optimizer '{Optimizer}' (use {string.Join(", ", OptimizerNames)})");
        Require(Regularization is "none" or "l1" or "l2", $"unknown regularization '{Regularization}' (use none, l1 or l2)");
        Require(float.IsFinite(RegularizationRate) && RegularizationRate is >= 0 and <= 10, $"regularizationRate must be 0 to 10, got {RegularizationRate}");
        Require(Dataset == "csv" || Features.Count > 0, "choose at least one input feature");
        Require(Features.Distinct().Count() == Features.Count, "a feature is listed twice");
        FeatureFlags();
        Require(Layers.Count <= limits.MaxLayers, $"at most {limits.MaxLayers} hidden layers, got {Layers.Count}");
        for (int i = 0; i < Layers.Count; i++)
        {
            var l = Layers[i];
            Require(l is not null, $"layer {i + 1} is null");
            Require(l!.Neurons >= 1 && l.Neurons <= limits.MaxNeurons, $"layer {i + 1}: 1 to {limits.MaxNeurons} neurons, got {l.Neurons}");
            Require(Activations.Contains(l.Activation), $"layer {i + 1}: unknown activation '{l.Activation}' (use {string.Join(", ", Activations)})");
            Require(l.Dropout is >= 0 and < 1, $"layer {i + 1}: dropout must be in [0, 1), got {l.Dropout}");
        }
        Require(View.Count == 2 && View[0] >= 0 && View[1] >= 0, "view must be two column indices");
        if (Dataset == "points")
        {
            Require(Points is { Count: > 0 }, "dataset 'points' needs at least one point (click on the plane)");
            Require(Points!.Count <= limits.MaxRows, $"at most {limits.MaxRows} points, got {Points.Count}");
            foreach (var p in Points)
            {
                Require(p is { Length: 3 } && p.All(float.IsFinite), "each point is [x, y, class] with finite numbers");
                Require(Math.Abs(p[0]) <= 6 && Math.Abs(p[1]) <= 6, "points must lie in [-6, 6]²");
                Require(IsRegression || (p[2] == MathF.Round(p[2]) && p[2] >= 0 && p[2] < limits.MaxClasses),
                    $"a point's class must be a whole number 0 to {limits.MaxClasses - 1}");
            }
        }
    }

    private static void Require([DoesNotReturnIf(false)] bool condition, string message)
    {
        if (!condition) throw HttpError.BadRequest(message);
    }
}

/// <summary>One hidden layer: its width, its activation and the dropout after it.</summary>
public sealed record LayerConfig(int Neurons, string Activation = "tanh", float Dropout = 0);
