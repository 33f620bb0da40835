using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>A histogram: <c>Counts[i]</c> values fell in [<c>BinEdges[i]</c>, <c>BinEdges[i + 1]</c>) (the last bin also holds its right edge).</summary>
public sealed record Histogram(float[] BinEdges, long[] Counts);

/// <summary>The distribution of one layer's outputs over a data set (<see cref="ActivationStats.Compute"/>).</summary>
/// <param name="Name">The layer's dotted name in the model.</param>
/// <param name="Module">The layer.</param>
/// <param name="Histogram">Every output value, in equal bins from <paramref name="Min"/> to <paramref name="Max"/>.</param>
/// <param name="Mean">The mean of all output values.</param>
/// <param name="Std">Their standard deviation (population: divided by the count).</param>
/// <param name="Min">The smallest output value.</param>
/// <param name="Max">The largest.</param>
/// <param name="Count">The number of values: samples × units.</param>
/// <param name="Units">Units per sample: the elements of one sample's output (for a conv layer, every channel at every position).</param>
/// <param name="DeadFraction">For a ReLU layer, the fraction of units never active (output 0 for every sample); null for other layers.</param>
/// <param name="SaturatedFraction">
/// For a Sigmoid or Tanh layer, the fraction of units saturated for every sample: output within 1% of the
/// activation's range from one of its ends (sigmoid ≤ 0.01 or ≥ 0.99, tanh ≤ −0.98 or ≥ 0.98), where its
/// derivative has all but vanished; null for other layers.
/// </param>
public sealed record LayerStats(string Name, Module Module, Histogram Histogram, double Mean, double Std, float Min, float Max,
    long Count, int Units, double? DeadFraction, double? SaturatedFraction);

/// <summary>
/// Distributions of the activations of every layer over a data set: histograms, mean and spread, and the two
/// failures of training a course warns about — ReLU units that never fire ("dead", they get no gradient) and
/// sigmoid/tanh units stuck at an end of their range ("saturated", Glorot &amp; Bengio 2010, "Understanding
/// the difficulty of training deep feedforward neural networks", show such histograms layer by layer).
/// </summary>
public static class ActivationStats
{
    /// <summary>
    /// Runs <paramref name="model"/> (evaluation mode, no graph) on each batch of <paramref name="batches"/> —
    /// inputs as the model's first layer takes them — and returns the statistics of every layer (module without
    /// children) that ran, in the order of <see cref="Module.NamedModules"/>. The batches are run twice (the
    /// histogram's range is known only after the first pass), so a lazy sequence must give the same batches
    /// again; its tensors are enumerated once and kept. The model is left as it was.
    /// </summary>
    public static IReadOnlyList<LayerStats> Compute(Module model, IEnumerable<Tensor> batches, int bins = 50)
    {
        const string op = "ActivationStats.Compute";
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(batches);
        if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), $"{op}: bins must be at least 1, got {bins}");
        var inputs = batches.Select((b, i) => b is null
            ? throw new ArgumentException($"{op}: batch {i} is null")
            : Probe.AsBatch(model, b, op).Batch).ToList();
        if (inputs.Count == 0) throw new ArgumentException($"{op}: no batches were given");
        var layers = Activations.Layers(model);
        var accumulators = layers.Select(l => new Accumulator(l.Name, l.Module)).ToList();
        using var probe = Probe.Open(model, grad: false);
        foreach (bool histogram in new[] { false, true })
        {
            var handles = accumulators.Select(a => a.Module.RegisterForwardHook((_, _, output) =>
            {
                a.Add(output, histogram, bins, op);
                return null;
            })).ToList();
            try
            {
                foreach (var batch in inputs) model.Call(batch);
            }
            finally
            {
                foreach (var h in handles) h.Dispose();
            }
        }
        return accumulators.Where(a => a.Count > 0).Select(a => a.Result()).ToList();
    }

    /// <summary>One layer's running sums (first pass) and histogram (second pass).</summary>
    private sealed class Accumulator(string name, Module module)
    {
        public Module Module { get; } = module;
        public long Count;
        private double sum, squaredDeviations;
        private float min = float.PositiveInfinity, max = float.NegativeInfinity;
        private int units;
        private bool[]? everActive;      // ReLU: some sample gave this unit a positive output
        private bool[]? alwaysSaturated; // sigmoid/tanh: every sample left this unit at an end of its range
        private long[]? counts;

        public void Add(Tensor output, bool histogram, int bins, string op)
        {
            var values = output.ToArray();
            int n = output.Rank == 0 ? 1 : output.Shape[0];
            int perSample = values.Length / Math.Max(n, 1);
            if (histogram)
            {
                // The second pass: the mean is known, so the spread is summed as deviations from it (no cancellation).
                counts ??= new long[bins];
                var (lo, width) = Range(bins);
                double mean = sum / Count;
                foreach (float v in values)
                {
                    counts[Math.Clamp((int)((v - lo) / width), 0, bins - 1)]++;
                    squaredDeviations += (v - mean) * (v - mean);
                }
                return;
            }
            if (units != 0 && perSample != units)
                throw new InvalidOperationException(
                    $"{op}: layer {name} gave {perSample} values per sample in one batch and {units} in another; the batches must have the same sample shape");
            units = perSample;
            foreach (float v in values)
            {
                sum += v;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            Count += values.Length;
            if (Module is ReLU)
            {
                everActive ??= new bool[units];
                for (int k = 0; k < values.Length; k++)
                    if (values[k] > 0) everActive[k % units] = true;
            }
            else if (Module is Sigmoid or Tanh)
            {
                if (alwaysSaturated is null) Array.Fill(alwaysSaturated = new bool[units], true);
                float low = Module is Sigmoid ? 0.01f : -0.98f, high = Module is Sigmoid ? 0.99f : 0.98f;
                for (int k = 0; k < values.Length; k++)
                    if (values[k] > low && values[k] < high) alwaysSaturated[k % units] = false;
            }
        }

        // Equal bins over [min, max]; a layer whose outputs are all equal gets the range [v − 0.5, v + 0.5].
        private (float Low, float Width) Range(int bins)
        {
            float lo = min, hi = max;
            if (!(hi > lo)) (lo, hi) = (lo - 0.5f, lo + 0.5f);
            return (lo, (hi - lo) / bins);
        }

        public LayerStats Result()
        {
            int bins = counts!.Length;
            var (lo, width) = Range(bins);
            var edges = new float[bins + 1];
            for (int i = 0; i <= bins; i++) edges[i] = lo + i * width;
            edges[bins] = min < max ? max : lo + 1f; // exact, not lo + bins·width rounded
            double mean = sum / Count;
            double std = Math.Sqrt(squaredDeviations / Count);
            double? dead = everActive is null ? null : (double)everActive.Count(a => !a) / units;
            double? saturated = alwaysSaturated is null ? null : (double)alwaysSaturated.Count(s => s) / units;
            return new LayerStats(name, Module, new Histogram(edges, counts), mean, std, min, max, Count, units, dead, saturated);
        }
    }
}
