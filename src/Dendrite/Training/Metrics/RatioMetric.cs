namespace Dendrite.Training.Metrics;

/// <summary>
/// A metric that is a count of hits over a count of trials (accuracy, top-k accuracy, multi-label accuracy):
/// the two counts are its whole running state, so reset, compute and the resume state live here once.
/// </summary>
public abstract class RatioMetric : Metric
{
    private long hits, trials;

    /// <summary>Adds <paramref name="hit"/> hits out of <paramref name="tried"/> trials.</summary>
    protected void Count(long hit, long tried)
    {
        hits += hit;
        trials += tried;
    }

    /// <inheritdoc />
    public override void Reset() => hits = trials = 0;

    /// <summary>Hits / trials; NaN before any.</summary>
    public override double Compute() => trials == 0 ? double.NaN : (double)hits / trials;

    /// <inheritdoc />
    public override double[] GetState() => [hits, trials];

    /// <inheritdoc />
    public override void SetState(double[] state)
    {
        CheckCounts(state, 2);
        if (state[0] > state[1]) throw new ArgumentException($"{Name}: a saved state counts {state[0]} correct of {state[1]}");
        (hits, trials) = ((long)state[0], (long)state[1]);
    }
}
