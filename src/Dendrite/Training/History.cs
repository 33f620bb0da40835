namespace Dendrite.Training;

/// <summary>
/// What <see cref="Trainer.Fit"/> logged, epoch by epoch, like Keras' <c>History</c>: one dictionary per
/// epoch (<c>loss</c>, each metric, <c>val_loss</c>, <c>val_</c> + each metric with a validation loader)
/// and, per key, the list of values: <c>history["loss"][e]</c> is the mean training loss of epoch e + 1.
/// </summary>
public sealed class History
{
    private readonly List<IReadOnlyDictionary<string, double>> epochs = [];
    private readonly Dictionary<string, List<double>> series = [];

    /// <summary>The logs of each finished epoch, in order.</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> Epochs => epochs;

    /// <summary>The number of finished epochs.</summary>
    public int Count => epochs.Count;

    /// <summary>The logged keys, in first-seen order.</summary>
    public IEnumerable<string> Keys => series.Keys;

    /// <summary>Whether <paramref name="key"/> was logged.</summary>
    public bool ContainsKey(string key) => series.ContainsKey(key);

    /// <summary>The per-epoch values of <paramref name="key"/>.</summary>
    public IReadOnlyList<double> this[string key] => series.TryGetValue(key, out var values) ? values
        : throw new KeyNotFoundException($"History: no values logged under '{key}'; logged keys: {string.Join(", ", series.Keys)}");

    internal void Add(IReadOnlyDictionary<string, double> logs)
    {
        var copy = new Dictionary<string, double>(logs);
        epochs.Add(copy);
        foreach (var (key, value) in copy)
        {
            if (!series.TryGetValue(key, out var values)) series[key] = values = [];
            values.Add(value);
        }
    }
}
