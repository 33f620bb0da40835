using System.Globalization;
using System.Text;

namespace Dendrite.Cli.Plotting;

/// <summary>A small SVG line chart: per-epoch series on shared axes with ticks, grid lines and a legend.</summary>
internal static class SvgChart
{
    private const int Width = 640, Height = 400, Left = 64, Right = 20, Top = 36, Bottom = 48;
    private static readonly string[] Colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"];

    /// <summary>Writes a chart of <paramref name="series"/> (values per epoch, x = 1, 2, ...; NaN points skipped).</summary>
    public static void Write(string path, string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        File.WriteAllText(path, Render(title, yLabel, series));
    }

    public static string Render(string title, string yLabel, IReadOnlyList<(string Name, IReadOnlyList<double> Values)> series)
    {
        var finite = series.SelectMany(s => s.Values).Where(double.IsFinite).ToList();
        int epochs = Math.Max(1, series.Count == 0 ? 1 : series.Max(s => s.Values.Count));
        double lo = finite.Count == 0 ? 0 : finite.Min(), hi = finite.Count == 0 ? 1 : finite.Max();
        // A flat series gets a band around it; relative to its size, since ±0.5 vanishes next to 1e31 (a
        // diverging run's loss), leaving no range to put ticks in.
        if (hi - lo < 1e-12 * Math.Max(1, Math.Abs(hi)))
        {
            double pad = Math.Max(0.5, Math.Abs(hi) * 0.05);
            (lo, hi) = (lo - pad, hi + pad);
        }
        var yTicks = NiceTicks(lo, hi, 6);
        lo = Math.Min(lo, yTicks[0]);
        hi = Math.Max(hi, yTicks[^1]);
        var xTicks = epochs <= 1 ? [1.0] : NiceTicks(1, epochs, 10).Where(t => t >= 1 && t <= epochs && t == Math.Floor(t)).ToArray();
        double plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        double X(double epoch) => Left + (epochs == 1 ? plotW / 2 : (epoch - 1) / (epochs - 1) * plotW);
        double Y(double v) => Top + (hi - v) / (hi - lo) * plotH;

        var svg = new StringBuilder();
        svg.Append(Fmt($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append(Fmt($"<rect width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>\n"));
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
            svg.Append(Fmt($"<text x=\"{x:0.##}\" y=\"{Top + plotH + 18}\" text-anchor=\"middle\">{t:0}</text>\n"));
        }
        svg.Append(Fmt($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        svg.Append(Fmt($"<line x1=\"{Left}\" y1=\"{Top + plotH}\" x2=\"{Width - Right}\" y2=\"{Top + plotH}\" stroke=\"black\"/>\n"));
        svg.Append(Fmt($"<text x=\"{Left + plotW / 2}\" y=\"{Height - 10}\" text-anchor=\"middle\">epoch</text>\n"));
        svg.Append(Fmt($"<text x=\"16\" y=\"{Top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 16 {Top + plotH / 2})\">{Escape(yLabel)}</text>\n"));
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var points = series[s].Values.Select((v, i) => (v, i)).Where(p => double.IsFinite(p.v))
                .Select(p => Fmt($"{X(p.i + 1):0.##},{Y(p.v):0.##}")).ToList();
            if (points.Count > 1)
                svg.Append(Fmt($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>\n"));
            foreach (var p in points)
            {
                var xy = p.Split(',');
                svg.Append(Fmt($"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{colour}\"/>\n"));
            }
            double ly = Top + 10 + s * 18;
            double lx = Width - Right - 110;
            svg.Append(Fmt($"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 24}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>\n"));
            svg.Append(Fmt($"<text x=\"{lx + 30}\" y=\"{ly + 4}\">{Escape(series[s].Name)}</text>\n"));
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    /// <summary>Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi].</summary>
    internal static double[] NiceTicks(double lo, double hi, int count)
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
