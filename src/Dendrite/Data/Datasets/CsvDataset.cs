using System.Globalization;
using System.Text;
using Dendrite.Tensors;

namespace Dendrite.Data.Datasets;

/// <summary>
/// A table from a CSV file (RFC 4180: comma-separated, a header row, fields optionally in double quotes,
/// "" for a quote inside quotes, commas and line breaks allowed inside quotes; empty lines are skipped).
/// One column, named by <c>target</c>, is the target; every other column is a numeric feature (invariant
/// culture: 1.5, -2e3). Inputs [N, F] in column order; targets [N]. For classification (the default) the
/// target's distinct texts, sorted ordinally, are the <see cref="Classes"/> and the target is the class
/// index; with <c>regression</c> the target must be numeric and is kept as is. Feature standardisation is
/// a transform (<see cref="Transforms.Normalize"/>), not done here. Errors give the file, line and column.
/// </summary>
public sealed class CsvDataset : IDataset
{
    private readonly TensorDataset tensors;

    private CsvDataset(TensorDataset tensors, IReadOnlyList<string> features, string target, IReadOnlyList<string>? classes)
    {
        this.tensors = tensors;
        FeatureNames = features;
        TargetName = target;
        Classes = classes;
    }

    /// <summary>Reads the CSV file at <paramref name="path"/> with target column <paramref name="target"/>.</summary>
    public static CsvDataset Load(string path, string target, bool regression = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"CSV: {path}: file not found", path);
        using var reader = new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        return Parse(reader, target, regression, path);
    }

    /// <summary>Reads CSV text from <paramref name="reader"/>; <paramref name="name"/> names the source in errors.</summary>
    public static CsvDataset Parse(TextReader reader, string target, bool regression = false, string name = "(text)")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(target);
        var records = CsvTable.ReadRecords(reader, name).GetEnumerator();
        if (!records.MoveNext())
            throw new InvalidDataException($"CSV: {name}: empty file (expected a header row)");
        var header = records.Current.Fields;
        int targetColumn = header.IndexOf(target);
        if (targetColumn < 0)
            throw new InvalidDataException($"CSV: {name}: no column '{target}'; the columns are {string.Join(", ", header.Select(h => $"'{h}'"))}");

        var features = new List<float>();
        var labels = new List<string>();
        var values = new List<float>();
        int rows = 0;
        while (records.MoveNext())
        {
            var (fields, line) = records.Current;
            if (fields.Count != header.Count)
                throw new InvalidDataException($"CSV: {name} line {line}: {fields.Count} fields, the header has {header.Count}");
            for (int c = 0; c < fields.Count; c++)
            {
                if (c == targetColumn)
                {
                    if (regression) values.Add(Number(fields[c], name, line, header[c]));
                    else labels.Add(fields[c]);
                }
                else
                {
                    features.Add(Number(fields[c], name, line, header[c]));
                }
            }
            rows++;
        }
        if (rows == 0)
            throw new InvalidDataException($"CSV: {name}: no data rows after the header");

        IReadOnlyList<string>? classes = null;
        float[] targets;
        if (regression)
        {
            targets = [.. values];
        }
        else
        {
            var sorted = labels.Distinct().Order(StringComparer.Ordinal).ToArray();
            var index = sorted.Select((l, i) => (l, i)).ToDictionary(p => p.l, p => (float)p.i);
            targets = [.. labels.Select(l => index[l])];
            classes = sorted;
        }
        int f = header.Count - 1;
        var inputs = Tensor.FromArray(features.ToArray(), rows, f);
        var featureNames = header.Where((_, i) => i != targetColumn).ToArray();
        return new CsvDataset(new TensorDataset(inputs, Tensor.FromArray(targets, rows)), featureNames, target, classes);
    }

    /// <summary>Feature column names, in the order of the input vector.</summary>
    public IReadOnlyList<string> FeatureNames { get; }

    /// <summary>The target column's name.</summary>
    public string TargetName { get; }

    /// <summary>Class names by index (sorted distinct target texts), or null for a regression target.</summary>
    public IReadOnlyList<string>? Classes { get; }

    /// <summary>All inputs, [N, F].</summary>
    public Tensor Inputs => tensors.Inputs;

    /// <summary>All targets, [N].</summary>
    public Tensor Targets => tensors.Targets;

    /// <summary>The same data as a <see cref="TensorDataset"/> (which a <see cref="DataLoader"/> batches by row copies).</summary>
    public TensorDataset Tensors => tensors;

    /// <inheritdoc />
    public int Count => tensors.Count;

    /// <inheritdoc />
    public (Tensor Input, Tensor Target) this[int index] => tensors[index];

    private static float Number(string text, string name, int line, string column)
    {
        string t = text.Trim();
        if (t.Length == 0)
            throw new InvalidDataException($"CSV: {name} line {line}, column '{column}': empty value");
        if (!float.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
            throw new InvalidDataException($"CSV: {name} line {line}, column '{column}': '{(t.Length <= 40 ? t : t[..20] + "…")}' is not a number");
        // The same policy as Preprocessor's: NaN, ±Infinity and values beyond float's range are refused.
        if (!float.IsFinite(v))
            throw new InvalidDataException($"CSV: {name} line {line}, column '{column}': '{(t.Length <= 40 ? t : t[..20] + "…")}' is not a finite number");
        return v;
    }
}
