using System.Text;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Playground.Web;
using Dendrite.Tensors;

namespace Dendrite.Playground.Networks;

/// <summary>
/// A data set ready to train on, split into training and test rows (row-major float arrays, raw units), with
/// what the views need: column names, class names, per-column range and mean.
/// </summary>
internal sealed record PlaygroundData
{
    public required float[] TrainX { get; init; }
    public required float[] TrainY { get; init; }
    public required float[] TestX { get; init; }
    public required float[] TestY { get; init; }

    /// <summary>Input columns of a row (2 for a plane; a CSV's feature count).</summary>
    public required int Columns { get; init; }

    public required IReadOnlyList<string> ColumnNames { get; init; }

    /// <summary>The CSV's target column (what <c>dendrite predict</c> leaves out of a CSV's rows), or null for other data.</summary>
    public string? Target { get; init; }

    /// <summary>Class names, or null for regression.</summary>
    public required IReadOnlyList<string>? Classes { get; init; }

    /// <summary>True when the rows are points of the plane (the 2-D feature map applies).</summary>
    public required bool IsPlane { get; init; }

    public required float[] Min { get; init; }
    public required float[] Max { get; init; }
    public required float[] Mean { get; init; }
    public required float[] Std { get; init; }

    public int TrainCount => TrainY.Length;
    public int TestCount => TestY.Length;
    public int ClassCount => Classes?.Count ?? 0;

    /// <summary>A CSV the page uploaded: its text is kept and parsed again for each configuration (the problem decides how).</summary>
    public sealed record Upload(string Text, string Target, string Name);

    /// <summary>Makes the data a configuration asks for; <paramref name="upload"/> is the session's CSV, if any.</summary>
    public static PlaygroundData Create(NetworkConfig config, Upload? upload, PlaygroundLimits limits)
    {
        var g = new Generator(config.Seed);
        double noise = config.Noise / 100;
        switch (config.Dataset)
        {
            case "points":
                var rows = config.Points!;
                var x = new float[rows.Count * 2];
                var y = new float[rows.Count];
                for (int i = 0; i < rows.Count; i++) (x[2 * i], x[2 * i + 1], y[i]) = (rows[i][0], rows[i][1], rows[i][2]);
                // Clicked points are all for training, as in ConvNetJS: there are too few to hold some back.
                return Make(x, y, [], [], 2, ["x1", "x2"], config.IsRegression ? null : ClassNames(Math.Max(2, (int)y.Max() + 1)), plane: true);
            case "csv":
                if (upload is null) throw HttpError.BadRequest("no CSV uploaded in this session; upload one first");
                var csv = ParseCsv(upload, config.IsRegression, limits);
                if (config.View.Any(v => v >= csv.FeatureNames.Count))
                    throw HttpError.BadRequest($"view: the CSV has {csv.FeatureNames.Count} feature columns (0 to {csv.FeatureNames.Count - 1})");
                return Split(csv.Tensors, csv.FeatureNames.Count, [.. csv.FeatureNames], csv.Classes, config, g, plane: false) with { Target = csv.TargetName };
            default:
                var set = config.Dataset switch
                {
                    "circle" => Synthetic2D.Circle(config.Samples, noise, g),
                    "xor" => Synthetic2D.Xor(config.Samples, noise, g),
                    "gaussian" => Synthetic2D.Gaussians(config.Samples, noise, g),
                    "spiral" => Synthetic2D.Spiral(config.Samples, noise, g),
                    "plane" => Synthetic2D.Plane(config.Samples, noise, g),
                    _ => Synthetic2D.MultiGaussian(config.Samples, noise, g),
                };
                return Split(set, 2, ["x1", "x2"], config.IsRegression ? null : ClassNames(2), config, g, plane: true);
        }
    }

    /// <summary>Parses an upload, holding it to the row, column and class limits (400 naming the limit).</summary>
    public static CsvDataset ParseCsv(Upload upload, bool regression, PlaygroundLimits limits)
    {
        CsvDataset csv;
        try
        {
            csv = CsvDataset.Parse(new StringReader(upload.Text), upload.Target, regression, upload.Name);
        }
        catch (Exception e) when (e is InvalidDataException or Runtime.MemoryBudgetException)
        {
            throw HttpError.BadRequest(e.Message);
        }
        if (csv.Count > limits.MaxRows) throw HttpError.BadRequest($"the CSV has {csv.Count:N0} rows; the limit is {limits.MaxRows:N0}");
        if (csv.FeatureNames.Count > limits.MaxFeatures)
            throw HttpError.BadRequest($"the CSV has {csv.FeatureNames.Count} feature columns; the limit is {limits.MaxFeatures}");
        if (csv.FeatureNames.Count == 0) throw HttpError.BadRequest("the CSV has no feature column besides the target");
        if (csv.Classes is { } classes && (classes.Count < 2 || classes.Count > limits.MaxClasses))
            throw HttpError.BadRequest($"the target '{upload.Target}' has {classes.Count} classes; classification needs 2 to {limits.MaxClasses}");
        if (csv.Inputs.ToArray().Any(v => !float.IsFinite(v)))
            throw HttpError.BadRequest("the CSV holds a value that is not a finite number");
        return csv;
    }

    /// <summary>Decodes an uploaded body as UTF-8 text (a byte-order mark is skipped); 400 when it is not text.</summary>
    public static string DecodeText(byte[] bytes)
    {
        try
        {
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Length > 0 && text[0] == '\uFEFF' ? text[1..] : text;
        }
        catch (DecoderFallbackException)
        {
            throw HttpError.BadRequest("the upload is not UTF-8 text");
        }
    }

    private static string[] ClassNames(int count) => [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];

    /// <summary>Shuffles the rows with the run's generator and cuts them at the training ratio.</summary>
    private static PlaygroundData Split(TensorDataset set, int columns, string[] names, IReadOnlyList<string>? classes,
        NetworkConfig config, Generator g, bool plane)
    {
        var x = set.Inputs.ToArray();
        var y = set.Targets.ToArray();
        int n = y.Length;
        var order = Permutation(n, g);
        int train = Math.Clamp((int)Math.Round(n * config.TrainRatio / 100.0), 1, n);
        float[] Rows(IEnumerable<int> idx) => [.. idx.SelectMany(r => x.AsSpan(r * columns, columns).ToArray())];
        float[] Targets(IEnumerable<int> idx) => [.. idx.Select(r => y[r])];
        return Make(Rows(order[..train]), Targets(order[..train]), Rows(order[train..]), Targets(order[train..]),
            columns, names, classes, plane);
    }

    /// <summary>0 … n − 1 in an order drawn from <paramref name="g"/> (Fisher–Yates).</summary>
    public static int[] Permutation(int n, Generator g)
    {
        var order = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i--)
        {
            int j = (int)g.NextInt64(0, i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    private static PlaygroundData Make(float[] trainX, float[] trainY, float[] testX, float[] testY, int columns,
        IReadOnlyList<string> names, IReadOnlyList<string>? classes, bool plane)
    {
        var min = new float[columns];
        var max = new float[columns];
        var mean = new float[columns];
        var std = new float[columns];
        int rows = trainY.Length + testY.Length;
        for (int c = 0; c < columns; c++)
        {
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            double sum = 0, sq = 0;
            foreach (var xs in new[] { trainX, testX })
            {
                for (int r = c; r < xs.Length; r += columns)
                {
                    float v = xs[r];
                    lo = Math.Min(lo, v);
                    hi = Math.Max(hi, v);
                    sum += v;
                    sq += (double)v * v;
                }
            }
            double m = sum / rows;
            (min[c], max[c], mean[c]) = (lo, hi, (float)m);
            std[c] = (float)Math.Sqrt(Math.Max(sq / rows - m * m, 0));
        }
        return new PlaygroundData
        {
            TrainX = trainX, TrainY = trainY, TestX = testX, TestY = testY, Columns = columns, ColumnNames = names,
            Classes = classes, IsPlane = plane, Min = min, Max = max, Mean = mean, Std = std,
        };
    }
}
