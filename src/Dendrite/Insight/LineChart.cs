using System.Globalization;
using System.Text;
using Dendrite.Serialization;

namespace Dendrite.Insight;

/// <summary>One line of a <see cref="LineChart"/>: a legend name and its points, x and y of equal length.</summary>
public sealed record ChartSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y)
{
    /// <summary>A series over x = 1, 2, …, n (epochs, steps).</summary>
    public static ChartSeries PerStep(string name, IReadOnlyList<double> values) =>
        new(name, [.. Enumerable.Range(1, values.Count).Select(i => (double)i)], values);
}

/// <summary>
/// A small SVG line chart: series on shared axes with round ticks, grid lines and a legend. The loss and
/// accuracy curves of <c>dendrite train</c> and the course's curves (activations, loss against epoch) are drawn
/// with it. Points whose x or y is not finite are left out; so a diverging run stops where it overflowed.
/// </summary>
public static class LineChart
{
    private const int Width = 640, Height = 400, Left = 64, Right = 20, Top = 36, Bottom = 48;
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];

    /// <summary>
    /// The chart as SVG text. <paramref name="markers"/> puts a dot on every point (for few points, such as one
    /// per epoch); <paramref name="yRange"/> fixes the y axis instead of fitting it to the data (values outside
    /// are clipped by the drawing area).
    /// </summary>
    public static string Render(string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        bool markers = false, (double Min, double Max)? yRange = null)
    {
        ArgumentNullException.ThrowIfNull(series);
        foreach (var s in series)
            if (s.X.Count != s.Y.Count)
                throw new ArgumentException($"LineChart: series '{s.Name}' has {s.X.Count} x values but {s.Y.Count} y values", nameof(series));
        var points = series.Select(s => s.X.Zip(s.Y).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second)).ToList()).ToList();
        var all = points.SelectMany(p => p).ToList();
        double xLo = all.Count == 0 ? 0 : all.Min(p => p.First), xHi = all.Count == 0 ? 1 : all.Max(p => p.First);
        double lo = all.Count == 0 ? 0 : all.Min(p => p.Second), hi = all.Count == 0 ? 1 : all.Max(p => p.Second);
        if (yRange is { } range)
        {
            if (!(range.Max > range.Min)) throw new ArgumentException($"LineChart: yRange must have Max > Min, got [{range.Min}, {range.Max}]", nameof(yRange));
            (lo, hi) = range;
        }
        // A flat series gets a band around it; relative to its size, since ±0.5 vanishes next to 1e31 (a
        // diverging run's loss), leaving no range to put ticks in.
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(0.5, Math.Abs(hi) * 0.05);
            (lo, hi) = (lo - pad, hi + pad);
        }
        var yTicks = NiceTicks(lo, hi, 6);
        if (yRange is null)
        {
            lo = Math.Min(lo, yTicks[0]);
            hi = Math.Max(hi, yTicks[^1]);
        }
        yTicks = [.. yTicks.Where(t => t >= lo - 1e-9 * Math.Abs(hi - lo) && t <= hi + 1e-9 * Math.Abs(hi - lo))];
        bool single = xHi - xLo < 1e-12;
        // Whole-number x (epochs, steps) gets whole-number ticks only: no "epoch 1.5".
        bool whole = all.All(p => p.First == Math.Floor(p.First));
        var xTicks = single ? [xLo] : NiceTicks(xLo, xHi, 10)
            .Where(t => t >= xLo - 1e-9 * (xHi - xLo) && t <= xHi + 1e-9 * (xHi - xLo) && (!whole || t == Math.Floor(t))).ToArray();
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(double x) => Left + (single ? plotW / 2 : (x - xLo) / (xHi - xLo) * plotW);
        double Y(double v) => Top + (hi - v) / (hi - lo) * plotH;

        var svg = new StringBuilder();
        svg.Append(Fmt($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Fmt($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
        svg.Append(Fmt($"<defs><clipPath id=\"plot\"><rect x=\"{Left}\" y=\"{Top}\" width=\"{plotW}\" height=\"{plotH}\"/></clipPath></defs>\n"));
        svg.Append(Fmt($"<text x=\"{Width / 2}\" y=\"22\" text-anchor=\"middle\" font-size=\"15\">{Escape(title)}</text>\n"));
        foreach (var t in yTicks)
        {
            double y = Y(t);
            svg.Append(Fmt($"<line x1=\"{Left}\" y1=\"{y:0.##}\" x2=\"{Width - Right}\" y2=\"{y:0.##}\" stroke=\"#e5e5e5\"/>\n"));
            svg.Append(Fmt($"<text x=\"{Left - 6}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">{t:G4}</text>\n"));
        }
        foreach (var t in xTicks)
        {
            double x = X(t);
            svg.Append(Fmt($"<line x1=\"{x:0.##}\" y1=\"{Top + plotH}\" x2=\"{x:0.##}\" y2=\"{Top + plotH + 5}\" stroke=\"black\"/>\n"));
            svg.Append(Fmt($"<text x=\"{x:0.##}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{t:G4}</text>\n"));
        }
        svg.Append(Fmt($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        svg.Append(Fmt($"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Width - Right}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        svg.Append(Fmt($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">{Escape(xLabel)}</text>\n"));
        svg.Append(Fmt($"<text x=\"16\" y=\"{Top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + plotH / 2})\">{Escape(yLabel)}</text>\n"));
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var xy = points[s].Select(p => Fmt($"{X(p.First):0.##},{Y(p.Second):0.##}")).ToList();
            if (xy.Count > 1)
                svg.Append(Fmt($"<polyline clip-path=\"url(#plot)\" fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', xy)}\"/>\n"));
            if (markers || xy.Count == 1)
                foreach (var p in points[s].Where(p => p.Second >= lo && p.Second <= hi))
                    svg.Append(Fmt($"<circle cx=\"{X(p.First):0.##}\" cy=\"{Y(p.Second):0.##}\" r=\"3\" fill=\"{colour}\"/>\n"));
        }
        // The legend on a pale box above the lines, so a curve passing under it does not hide a name.
        double lx = Width - Right - 170;
        if (series.Count > 0)
            svg.Append(Fmt($"<rect x=\"{lx - 8}\" y=\"{Top + 1}\" width=\"176\" height=\"{series.Count * 18 + 6}\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ddd\"/>\n"));
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            double ly = Top + 10 + s * 18;
            svg.Append(Fmt($"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 24}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n"));
            svg.Append(Fmt($"<text x=\"{lx + 30}\" y=\"{ly + 4}\">{Escape(series[s].Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Writes <see cref="Render"/>'s chart to <paramref name="path"/>, atomically (never half a file).</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<ChartSeries> series,
        bool markers = false, (double Min, double Max)? yRange = null)
    {
        byte[] text = Encoding.UTF8.GetBytes(Render(title, xLabel, yLabel, series, markers, yRange));
        AtomicFile.Write(path, stream => stream.Write(text));
    }

    /// <summary>Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi].</summary>
    public static double[] NiceTicks(double lo, double hi, int count)
    {
        double raw = (hi - lo) / Math.Max(1, count - 1);
        // No round steps fit an empty or overflowing range (values near ±double.MaxValue): just its ends.
        if (!(raw > 0) || !double.IsFinite(raw)) return [lo, hi];
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double step = new[] { 1, 2, 5, 10 }.Select(m => m * magnitude).First(s => s >= raw);
        long first = (long)Math.Floor(lo / step), last = (long)Math.Ceiling(hi / step);
        // k / 5 is the double nearest 0.6 where k · 0.2 is not, so divide for fractional steps.
        double perUnit = step < 1 ? Math.Round(1 / step) : 0;
        var ticks = new List<double>();
        for (long k = first; k <= last; k++) ticks.Add(perUnit > 0 ? k / perUnit : k * step);
        return [.. ticks];
    }

    private static string Escape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);

    private static string Fmt(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
