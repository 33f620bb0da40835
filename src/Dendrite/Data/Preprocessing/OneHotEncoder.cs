namespace Dendrite.Data.Preprocessing;

/// <summary>
/// One-hot encoding of one text column, like scikit-learn's <c>OneHotEncoder</c>: one output per category
/// seen in fitting (sorted ordinally), 1 for the row's category and 0 elsewhere. A category not seen in
/// fitting is an error, as it is by default in scikit-learn: the model has no input for it.
/// </summary>
public sealed class OneHotEncoder
{
    private readonly string[] categories;
    private readonly Dictionary<string, int> index;

    /// <summary>An encoder for <paramref name="categories"/> (distinct, at least one), in output order.</summary>
    public OneHotEncoder(IEnumerable<string> categories)
    {
        ArgumentNullException.ThrowIfNull(categories);
        this.categories = [.. categories];
        if (this.categories.Length == 0) throw new ArgumentException("OneHotEncoder: needs at least one category");
        index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < this.categories.Length; i++)
            if (!index.TryAdd(this.categories[i], i))
                throw new ArgumentException($"OneHotEncoder: category '{this.categories[i]}' is listed twice");
    }

    /// <summary>The categories, one per output.</summary>
    public IReadOnlyList<string> Categories => categories;

    /// <summary>The outputs per value: the number of categories.</summary>
    public int Width => categories.Length;

    /// <summary>An encoder for the distinct <paramref name="values"/>, sorted ordinally.</summary>
    public static OneHotEncoder Fit(IEnumerable<string> values) =>
        new(values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));

    /// <summary>Whether <paramref name="value"/> is a known category.</summary>
    public bool Knows(string value) => index.ContainsKey(value);

    /// <summary>Writes <paramref name="value"/>'s one-hot vector into <paramref name="output"/> (<see cref="Width"/> values).</summary>
    public void Encode(string value, Span<float> output)
    {
        if (output.Length != Width) throw new ArgumentException($"OneHotEncoder.Encode: the output has {output.Length} values, the encoder {Width}");
        if (!index.TryGetValue(value, out int hot))
            throw new ArgumentException($"OneHotEncoder: unknown category '{value}' (known: {string.Join(", ", categories)})");
        output.Clear();
        output[hot] = 1;
    }
}
