using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Cli.Commands;

/// <summary>Labelled data named by <c>--data</c>: an MNIST-format directory or a CSV file.</summary>
internal sealed record LabelledData(string Kind, TensorDataset Train, TensorDataset? Test, int Classes, IReadOnlyList<string> ClassNames)
{
    /// <summary>
    /// Loads <paramref name="path"/>: a directory of MNIST IDX files (train and test sets) or a CSV whose
    /// <paramref name="target"/> column holds the class (all rows are training data; no test set).
    /// </summary>
    public static LabelledData Load(string path, string? target)
    {
        if (Directory.Exists(path))
        {
            var train = Mnist.Load(path, train: true);
            var test = Mnist.Load(path, train: false);
            return new LabelledData("mnist", train, test, 10, Enumerable.Range(0, 10).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
        }
        if (File.Exists(path))
        {
            if (!path.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
                throw new CliException($"{path}: --data takes a directory of MNIST IDX files or a .csv file");
            if (string.IsNullOrEmpty(target))
                throw new CliException($"{path}: a CSV needs --target COLUMN, the column holding the class", usage: true);
            var csv = CsvDataset.Load(path, target);
            var classes = csv.Classes ?? throw new CliException($"{path}: column '{target}' holds no classes");
            if (classes.Count < 2) throw new CliException($"{path}: column '{target}' holds {classes.Count} class; classification needs at least 2");
            return new LabelledData("csv", csv.Tensors, null, classes.Count, classes);
        }
        throw new CliException($"{path}: no such file or directory");
    }

    /// <summary>Per-sample input shape of the data.</summary>
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
        float max = data.Count == 0 ? 0 : data.Targets.Max().Item();
        if (max >= outputs)
            throw new CliException($"{what} has class {max} but the model has only {outputs} outputs");
    }
}
