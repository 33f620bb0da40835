using System.Globalization;
using Dendrite.Data.Datasets;
using Dendrite.Tensors;

namespace Dendrite.Data.Preprocessing;

/// <summary>What <see cref="Preprocessor.Fit(CsvTable, IReadOnlyList{string}, PreprocessorOptions)"/> does.</summary>
/// <param name="Standardize">Standardise the numeric features (<see cref="StandardScaler"/>); one-hot outputs stay 0/1.</param>
/// <param name="Impute">How missing cells are filled; <see cref="ImputeStrategy.None"/> makes them an error.</param>
public sealed record PreprocessorOptions(bool Standardize = true, ImputeStrategy Impute = ImputeStrategy.None);

/// <summary>
/// One feature column of a table as a <see cref="Preprocessor"/> reads it: numeric (one output; missing cells
/// filled by <see cref="Imputer"/> when there is one) or text (<see cref="Encoder"/>'s outputs; missing cells
/// become <see cref="FillCategory"/> when there is one).
/// </summary>
public sealed record PreprocessorColumn(string Name, Imputer? Imputer = null, OneHotEncoder? Encoder = null, string? FillCategory = null)
{
    /// <summary>The column's outputs: 1 for a number, the category count for text.</summary>
    public int Width => Encoder?.Width ?? 1;
}

/// <summary>
/// The preprocessing fitted on a model's training data, which travels with the model (in a model file's
/// metadata under <see cref="MetadataKey"/>, as <see cref="ToJson"/>) so that raw inputs are prepared the
/// same way later. Two steps: <see cref="Encode"/> turns a table's cells into numbers (missing cells imputed,
/// text columns one-hot encoded), then <see cref="Scale"/> standardises them. For images there are no
/// columns and one mean and std for all pixels. The scaling is affine, so an ONNX export puts it in the graph.
/// </summary>
public sealed partial class Preprocessor
{
    /// <summary>The model-file metadata key holding <see cref="ToJson"/>.</summary>
    public const string MetadataKey = "dendrite.preprocessing";

    /// <summary>A preprocessor over <paramref name="columns"/> (none: the inputs are numeric already) and an optional scaler.</summary>
    public Preprocessor(IReadOnlyList<PreprocessorColumn> columns, StandardScaler? scaler)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Columns = [.. columns];
        Scaler = scaler;
        if (scaler is not null && Columns.Count > 0 && scaler.Mean.Count != Width)
            throw new ArgumentException($"Preprocessor: the scaler has {scaler.Mean.Count} features, the columns give {Width}");
    }

    /// <summary>The feature columns read from a table, in input order; empty for numeric inputs such as images.</summary>
    public IReadOnlyList<PreprocessorColumn> Columns { get; }

    /// <summary>The standardisation after encoding, or null when there is none.</summary>
    public StandardScaler? Scaler { get; }

    /// <summary>The number of encoded features (for a table).</summary>
    public int Width => Columns.Sum(c => c.Width);

    /// <summary>
    /// Fits on <paramref name="table"/>'s <paramref name="features"/> columns (its training rows only). A column
    /// is text when most of its present cells are not numbers; then a non-number in a numeric column is an
    /// error naming its line and column, as is a missing cell unless <see cref="PreprocessorOptions.Impute"/> says how to fill it.
    /// </summary>
    public static Preprocessor Fit(CsvTable table, IReadOnlyList<string> features, PreprocessorOptions options)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(options);
        var columns = new List<PreprocessorColumn>();
        foreach (string name in features)
        {
            int c = table.IndexOf(name);
            var present = table.Rows.Select(r => r[c]).Where(v => !Imputer.IsMissing(v)).ToList();
            if (present.Count == 0) throw new InvalidDataException($"CSV: {table.Name}, column '{name}': every cell is missing");
            int numbers = present.Count(v => TryNumber(v, out _));
            if (numbers * 2 >= present.Count)
            {
                var values = new List<float>(present.Count);
                bool anyMissing = present.Count < table.Rows.Count;
                for (int r = 0; r < table.Rows.Count; r++)
                {
                    string v = table.Rows[r][c];
                    if (Imputer.IsMissing(v)) continue;
                    if (!TryNumber(v, out float x)) throw NotANumber(table, c, v, r);
                    if (float.IsFinite(x)) values.Add(x);
                    else if (options.Impute == ImputeStrategy.None) throw NotFinite(table, r, name, v);
                    else anyMissing = true;
                }
                if (values.Count == 0) throw new InvalidDataException($"CSV: {table.Name}, column '{name}': no cell holds a finite number");
                var imputer = options.Impute != ImputeStrategy.None && anyMissing ? Imputer.Fit(values, options.Impute) : null;
                columns.Add(new PreprocessorColumn(name, Imputer: imputer));
            }
            else
            {
                string? fill = options.Impute != ImputeStrategy.None && present.Count < table.Rows.Count
                    ? present.GroupBy(v => v.Trim(), StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).First().Key
                    : null;
                columns.Add(new PreprocessorColumn(name, Encoder: OneHotEncoder.Fit(present.Select(v => v.Trim())), FillCategory: fill));
            }
        }
        var unscaled = new Preprocessor(columns, null);
        if (!options.Standardize) return unscaled;
        var oneHot = new HashSet<int>();
        int at = 0;
        foreach (var column in columns)
        {
            if (column.Encoder is not null) for (int k = 0; k < column.Width; k++) oneHot.Add(at + k);
            at += column.Width;
        }
        return new Preprocessor(columns, StandardScaler.Fit(unscaled.Encode(table), oneHot));
    }

    /// <summary>Fits on numeric inputs [N, ...] (images): one mean and std over all values when <paramref name="standardize"/>, else nothing.</summary>
    public static Preprocessor Fit(Tensor inputs, bool standardize = true)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return new Preprocessor([], standardize ? StandardScaler.FitAll(inputs) : null);
    }

    /// <summary>
    /// The encoded features [N, <see cref="Width"/>] of <paramref name="table"/>'s rows, unscaled. Columns are
    /// found by name, so other columns (a target) and another column order are fine. Errors name the line and column.
    /// </summary>
    public Tensor Encode(CsvTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (Columns.Count == 0) throw new InvalidOperationException("Preprocessor.Encode: this preprocessor was fitted on numeric inputs, not a table");
        int width = Width, n = table.Rows.Count;
        var indices = Columns.Select(c => table.IndexOf(c.Name)).ToArray();
        var x = new float[n * width];
        for (int r = 0; r < n; r++)
        {
            int at = r * width;
            for (int k = 0; k < Columns.Count; k++)
            {
                var column = Columns[k];
                string cell = table.Rows[r][indices[k]];
                bool missing = Imputer.IsMissing(cell);
                if (column.Encoder is { } encoder)
                {
                    string value = missing ? column.FillCategory ?? throw Missing(table, r, column.Name) : cell.Trim();
                    if (!encoder.Knows(value))
                        throw new InvalidDataException($"CSV: {table.Name} line {table.Lines[r]}, column '{column.Name}': '{value}' is not a category seen in training ({string.Join(", ", encoder.Categories)})");
                    encoder.Encode(value, x.AsSpan(at, encoder.Width));
                }
                else if (missing)
                {
                    x[at] = column.Imputer?.Value ?? throw Missing(table, r, column.Name);
                }
                else
                {
                    float v = TryNumber(cell, out float parsed) ? parsed : throw NotANumber(table, indices[k], cell, r);
                    // One policy for NaN, ±Infinity and numbers beyond float's range: a missing value.
                    x[at] = float.IsFinite(v) ? v : column.Imputer?.Value ?? throw NotFinite(table, r, column.Name, cell);
                }
                at += column.Width;
            }
        }
        return Tensor.FromArray(x, n, width);
    }

    /// <summary>Standardises encoded or numeric inputs [N, ...] (returns them as they are when there is no scaler).</summary>
    public Tensor Scale(Tensor inputs) => Scaler?.Transform(inputs) ?? inputs;

    /// <summary><see cref="Encode"/> then <see cref="Scale"/>: a table's rows as the model's inputs [N, <see cref="Width"/>].</summary>
    public Tensor Transform(CsvTable table) => Scale(Encode(table));

    private static bool TryNumber(string cell, out float value) =>
        float.TryParse(cell.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);

    private static InvalidDataException Missing(CsvTable table, int row, string column) =>
        new($"CSV: {table.Name} line {table.Lines[row]}, column '{column}': missing value (fill missing values by imputing the mean or median)");

    private static InvalidDataException NotFinite(CsvTable table, int row, string column, string cell) =>
        new($"CSV: {table.Name} line {table.Lines[row]}, column '{column}': '{Shorten(cell.Trim())}' is not a finite number " +
            "(NaN, ±Infinity and values beyond ±3.4e38 are refused; --impute mean|median fills them like missing cells)");

    // A 10-million-digit cell must not become a 10-million-character message.
    private static string Shorten(string cell) => cell.Length <= 40 ? cell : $"{cell[..20]}…({cell.Length:N0} characters)";

    private static InvalidDataException NotANumber(CsvTable table, int column, string cell, int? row = null)
    {
        int r = row ?? table.Rows.ToList().FindIndex(x => x[column] == cell);
        return new($"CSV: {table.Name} line {table.Lines[r]}, column '{table.Header[column]}': '{Shorten(cell)}' is not a number (the column is numeric)");
    }
}
