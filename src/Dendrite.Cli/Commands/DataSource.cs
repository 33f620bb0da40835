using System.Globalization;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Preprocessing;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Cli.Commands;

/// <summary>
/// Labelled data named by <c>--data</c> (an MNIST-format directory or a CSV file), prepared by a
/// <see cref="Preprocessor"/>: fitted on the training rows for <c>train</c>, the model's stored one for
/// <c>evaluate</c>. <see cref="TestRows"/> are the CSV rows (from 0) a <c>--test-split</c> held out.
/// </summary>
internal sealed record LabelledData(string Kind, TensorDataset Train, TensorDataset? Test, int Classes, IReadOnlyList<string> ClassNames,
                                    Preprocessor? Preprocessor, IReadOnlyList<int>? TestRows = null)
{
    private static readonly string[] Digits = [.. Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture))];

    /// <summary>
    /// The data <c>train</c> learns from: MNIST's training and test sets, or a CSV's rows with a test set
    /// from <c>--test FILE</c> or a stratified <c>--test-split</c>; the preprocessing fitted on the training rows.
    /// </summary>
    public static LabelledData ForTraining(TrainOptions options)
    {
        string path = options.Data!;
        if (IsMnist(path))
        {
            if (options.TestSplit > 0 || options.TestFile is not null)
                throw new CliException($"{path}: an MNIST directory has its own test set; --test-split and --test are for CSVs", usage: true);
            var train = Mnist.Load(path, train: true);
            var test = Mnist.Load(path, train: false);
            // An empty set would train to a NaN loss and write a model; refuse it before anything runs.
            foreach (var (set, isTrain) in new[] { (train, true), (test, false) })
                if (set.Count == 0)
                    throw new CliException($"{Path.Combine(path, Mnist.FileNames(isTrain)[0])}: the image file holds 0 images; there is nothing to {(isTrain ? "train" : "test")} on");
            var images = Preprocessor.Fit(train.Inputs, options.Standardize);
            return new LabelledData("mnist", Scaled(train, images), Scaled(test, images), 10, Digits, images);
        }
        var table = ReadTable(path, options.Target);
        string target = options.Target!;
        int targetColumn = table.IndexOf(target);
        var classes = table.Rows.Select(r => r[targetColumn].Trim()).Distinct().Order(StringComparer.Ordinal).ToList();
        if (classes.Count < 2) throw new CliException($"{path}: column '{target}' holds {classes.Count} class; classification needs at least 2");

        CsvTable trainRows = table;
        CsvTable? testRows = null;
        IReadOnlyList<int>? heldOut = null;
        if (options.TestFile is { } testFile)
        {
            testRows = ReadTable(testFile, target);
        }
        else if (options.TestSplit > 0)
        {
            var labels = Labels(table, target, classes);
            // Its own generator from the seed, so a resumed run holds out the same rows.
            var (kept, test) = Dataset.StratifiedSplit(labels, options.TestSplit, new Generator(options.Seed ^ 0xD1B54A32D192ED03UL));
            (trainRows, testRows, heldOut) = (table.Select(kept), table.Select(test), test);
        }
        var features = table.Header.Where(h => h != target).ToList();
        var preprocessor = Preprocessor.Fit(trainRows, features, options.Preprocessing);
        return new LabelledData("csv", Tensors(trainRows, target, classes, preprocessor),
            testRows is null ? null : Tensors(testRows, target, classes, preprocessor), classes.Count, classes, preprocessor, heldOut);
    }

    /// <summary>
    /// The data <c>evaluate</c> measures on: MNIST's test set or every row of a CSV, prepared by the model's
    /// <paramref name="preprocessor"/> (none in files from before it was stored: the values as they are),
    /// labels mapped to the model's <paramref name="classNames"/>.
    /// </summary>
    public static TensorDataset ForEvaluation(string path, string? target, Preprocessor? preprocessor, IReadOnlyList<string> classNames)
    {
        if (IsMnist(path))
        {
            var test = Mnist.Load(path, train: false);
            return preprocessor is null ? test : Scaled(test, preprocessor);
        }
        var table = ReadTable(path, target);
        preprocessor ??= Preprocessor.Fit(table, [.. table.Header.Where(h => h != target)], new PreprocessorOptions(Standardize: false));
        return Tensors(table, target!, classNames, preprocessor);
    }

    /// <summary>A CSV's rows as model inputs [N, F] for <c>predict</c> (any target column is ignored).</summary>
    public static Tensor Features(string path, Preprocessor? preprocessor, string? target)
    {
        var table = Read(path);
        preprocessor ??= Preprocessor.Fit(table, [.. table.Header.Where(h => h != target)], new PreprocessorOptions(Standardize: false));
        return preprocessor.Columns.Count == 0
            ? throw new CliException($"{path}: the model was trained on images; predict on a PNG")
            : preprocessor.Transform(table);
    }

    /// <summary>Per-sample input shape of the training data.</summary>
    public int[] SampleShape => Train.Inputs.Shape.ToArray()[1..];

    /// <summary>Values per sample.</summary>
    public int SampleSize => SampleShape.Aggregate(1, (a, b) => a * b);

    /// <summary>
    /// <paramref name="data"/> with inputs shaped as <paramref name="spec"/> expects (e.g. MNIST's [1, 28, 28]
    /// flattened to [784] for an MLP); an error when the sizes differ.
    /// </summary>
    public static TensorDataset Fit(TensorDataset data, ModelSpec spec, string what)
    {
        int[] sample = data.Inputs.Shape.ToArray()[1..];
        int size = sample.Aggregate(1, (a, b) => a * b), expected = spec.Input.Aggregate(1, (a, b) => a * b);
        if (size != expected)
            throw new CliException($"the model expects inputs of shape [{string.Join(", ", spec.Input)}] ({expected} values) but {what} has samples of shape [{string.Join(", ", sample)}] ({size} values)");
        if (sample.SequenceEqual(spec.Input)) return data;
        return new TensorDataset(data.Inputs.Reshape([data.Count, .. spec.Input]), data.Targets);
    }

    /// <summary>Checks that every target is a class index the model can output.</summary>
    public static void CheckClasses(TensorDataset data, ModelSpec spec, string what)
    {
        int outputs = spec.Output.Aggregate(1, (a, b) => a * b);
        if (outputs == 1) outputs = 2; // a single output is a binary classifier
        float max = data.Count == 0 ? 0 : data.Targets.Max().Item();
        if (max >= outputs)
            throw new CliException($"{what} has class {max} but the model has only {outputs} outputs");
    }

    private static bool IsMnist(string path)
    {
        if (Directory.Exists(path)) return true;
        if (!File.Exists(path)) throw new CliException($"{path}: no such file or directory");
        if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            throw new CliException($"{path}: --data takes a directory of MNIST IDX files or a .csv file");
        return false;
    }

    private static CsvTable Read(string path)
    {
        if (!File.Exists(path)) throw new CliException($"{path}: no such file");
        return CsvTable.Load(path);
    }

    private static CsvTable ReadTable(string path, string? target)
    {
        if (string.IsNullOrEmpty(target))
            throw new CliException($"{path}: a CSV needs --target COLUMN, the column holding the class", usage: true);
        var table = Read(path);
        int column = table.IndexOf(target);
        // An empty target would become a class named "": refuse it (imputing a class would invent labels).
        for (int r = 0; r < table.Rows.Count; r++)
            if (string.IsNullOrWhiteSpace(table.Rows[r][column]))
                throw new CliException($"{path} line {table.Lines[r]}, column '{target}': the target cell is empty; every row needs a class");
        return table;
    }

    private static TensorDataset Scaled(TensorDataset data, Preprocessor preprocessor) =>
        preprocessor.Scaler is null ? data : new TensorDataset(preprocessor.Scale(data.Inputs), data.Targets);

    private static int[] Labels(CsvTable table, string target, IReadOnlyList<string> classes)
    {
        int column = table.IndexOf(target);
        var index = classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i, StringComparer.Ordinal);
        var labels = new int[table.Rows.Count];
        for (int r = 0; r < labels.Length; r++)
        {
            string label = table.Rows[r][column].Trim();
            labels[r] = index.TryGetValue(label, out int k) ? k
                : throw new CliException($"{table.Name} line {table.Lines[r]}: class '{label}' is not one the model knows ({string.Join(", ", classes)})");
        }
        return labels;
    }

    private static TensorDataset Tensors(CsvTable table, string target, IReadOnlyList<string> classes, Preprocessor preprocessor) =>
        new(preprocessor.Transform(table), Tensor.FromArray(Array.ConvertAll(Labels(table, target, classes), l => (float)l), table.Rows.Count));
}
