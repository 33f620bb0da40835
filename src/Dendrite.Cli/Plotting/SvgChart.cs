using Dendrite.Insight;
using Dendrite.Serialization;

namespace Dendrite.Cli.Plotting;

/// <summary>The per-epoch charts of a run (loss.svg, accuracy.svg): the library's <see cref="LineChart"/> over x = 1, 2, …, with a dot per epoch.</summary>
internal static class SvgChart
{
    /// <summary>Writes a chart of <paramref name="series"/> (values per epoch, x = 1, 2, ...; NaN points skipped).</summary>
    public static void Write(string path, string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        var text = System.Text.Encoding.UTF8.GetBytes(Render(title, yLabel, series));
        AtomicFile.Write(path, stream => stream.Write(text));
    }

    public static string Render(string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series) =>
        LineChart.Render(title, "epoch", yLabel, [.. series.Select(s => ChartSeries.PerStep(s.Name, s.Values))], markers: true);

    /// <summary>Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi].</summary>
    internal static double[] NiceTicks(double lo, double hi, int count) => LineChart.NiceTicks(lo, hi, count);
}
