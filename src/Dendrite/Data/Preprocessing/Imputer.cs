namespace Dendrite.Data.Preprocessing;

/// <summary>How <see cref="Imputer"/> fills a missing value.</summary>
public enum ImputeStrategy
{
    /// <summary>No filling: a missing value is an error.</summary>
    None,

    /// <summary>The mean of the column's present values (text columns: the most frequent category).</summary>
    Mean,

    /// <summary>The median of the column's present values (text columns: the most frequent category).</summary>
    Median,
}

/// <summary>
/// Fills the missing values of one numeric column with a statistic of the values present when it was
/// fitted, like scikit-learn's <c>SimpleImputer</c>. What counts as missing is <see cref="IsMissing"/>.
/// </summary>
public sealed class Imputer(ImputeStrategy strategy, float value)
{
    /// <summary>The strategy that chose <see cref="Value"/>.</summary>
    public ImputeStrategy Strategy { get; } = strategy;

    /// <summary>What a missing value becomes.</summary>
    public float Value { get; } = value;

    /// <summary>True for an empty cell and for the usual markers of a missing one: ?, NA, N/A, NaN, null (any case).</summary>
    public static bool IsMissing(string cell)
    {
        string t = cell.Trim();
        return t.Length == 0 || t == "?" || t.Equals("NA", StringComparison.OrdinalIgnoreCase) || t.Equals("N/A", StringComparison.OrdinalIgnoreCase)
               || t.Equals("NaN", StringComparison.OrdinalIgnoreCase) || t.Equals("null", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Fits on the present values of a column (at least one); <paramref name="strategy"/> must not be None.</summary>
    public static Imputer Fit(IReadOnlyList<float> present, ImputeStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(present);
        if (present.Count == 0) throw new ArgumentException("Imputer.Fit: the column has no values to impute from");
        float value = strategy switch
        {
            ImputeStrategy.Mean => (float)present.Average(v => (double)v),
            ImputeStrategy.Median => Median(present),
            _ => throw new ArgumentException($"Imputer.Fit: strategy {strategy} fills nothing"),
        };
        return new Imputer(strategy, value);
    }

    private static float Median(IReadOnlyList<float> values)
    {
        var sorted = values.Order().ToArray();
        int mid = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[mid] : (float)((sorted[mid - 1] + (double)sorted[mid]) / 2);
    }
}
