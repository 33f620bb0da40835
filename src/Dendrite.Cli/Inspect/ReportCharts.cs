using System.Globalization;
using System.Text;
using Dendrite.Cli.Plotting;

namespace Dendrite.Cli.Inspect;

/// <summary>The report's inline SVG charts: a histogram and a line chart of accuracy against ε.</summary>
internal static class ReportCharts
{
    private static readonly string[] Colours = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e"];

    /// <summary>
    /// Bars of <paramref name="counts"/> over <paramref name="edges"/> (counts.Length + 1 edges), on a linear
    /// scale up to 1.25 times the second-highest bar: a ReLU layer's spike at zero would otherwise flatten every
    /// other bar, so a bar above that is drawn cut, in a lighter colour (its count in the tooltip).
    /// </summary>
    public static string Histogram(IReadOnlyList<double> edges, IReadOnlyList<long> counts, int width = 280, int height = 130)
    {
        const int left = 8, right = 8, top = 4, bottom = 16;
        double plotW = width - left - right, plotH = height - top - bottom;
        var sorted = counts.OrderDescending().ToList();
        double cap = sorted.Count == 0 ? 1 : sorted.Count == 1 ? Math.Max(1, sorted[0]) : Math.Max(1, Math.Min(sorted[0], 1.25 * sorted[1]));
        var svg = new StringBuilder(F($"<svg class=\"hist\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-size=\"10\">"));
        svg.Append(F($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        double barW = plotW / Math.Max(1, counts.Count);
        for (int i = 0; i < counts.Count; i++)
        {
            bool cut = counts[i] > cap;
            double h = Math.Min(counts[i], cap) / cap * plotH;
            svg.Append(F($"<rect x=\"{left + i * barW:0.##}\" y=\"{top + plotH - h:0.##}\" width=\"{Math.Max(barW - 0.5, 0.5):0.##}\" height=\"{h:0.##}\" fill=\"{(cut ? "#9dbbd9" : "#3b6ea5")}\"><title>[{edges[i]:G4}, {edges[i + 1]:G4}): {counts[i]:N0}</title></rect>"));
        }
        svg.Append(F($"<line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{width - right}\" y2=\"{top + plotH}\" stroke=\"#333\"/>"));
        if (edges.Count > 1)
        {
            svg.Append(F($"<text x=\"{left}\" y=\"{height - 4}\">{edges[0]:G3}</text>"));
            svg.Append(F($"<text x=\"{width - right}\" y=\"{height - 4}\" text-anchor=\"end\">{edges[^1]:G3}</text>"));
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    /// <summary>Accuracy (0…1) against ε, one line per attack, with axes, ticks and a legend.</summary>
    public static string Robustness(IReadOnlyList<(string Name, IReadOnlyList<(float Epsilon, float Accuracy)> Points)> series, int width = 560, int height = 320)
    {
        const int left = 56, right = 20, top = 20, bottom = 46;
        double plotW = width - left - right, plotH = height - top - bottom;
        double maxEps = Math.Max(1e-6, series.SelectMany(s => s.Points).Select(p => (double)p.Epsilon).DefaultIfEmpty(1).Max());
        var xTicks = SvgChart.NiceTicks(0, maxEps, 6).Where(t => t <= maxEps + 1e-9).ToArray();
        double X(double e) => left + e / maxEps * plotW;
        double Y(double a) => top + (1 - a) * plotH;
        var svg = new StringBuilder(F($"<svg class=\"curve\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-size=\"12\">"));
        svg.Append(F($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        for (int k = 0; k <= 5; k++)
        {
            double a = k / 5.0, y = Y(a);
            svg.Append(F($"<line x1=\"{left}\" y1=\"{y:0.##}\" x2=\"{width - right}\" y2=\"{y:0.##}\" stroke=\"#e5e5e5\"/>"));
            svg.Append(F($"<text x=\"{left - 6}\" y=\"{y + 4:0.##}\" text-anchor=\"end\">{a:0.0}</text>"));
        }
        foreach (var t in xTicks)
        {
            double x = X(t);
            svg.Append(F($"<line x1=\"{x:0.##}\" y1=\"{top + plotH}\" x2=\"{x:0.##}\" y2=\"{top + plotH + 5}\" stroke=\"#333\"/>"));
            svg.Append(F($"<text x=\"{x:0.##}\" y=\"{top + plotH + 18}\" text-anchor=\"middle\">{t:G3}</text>"));
        }
        svg.Append(F($"<line x1=\"{left}\" y1=\"{top}\" x2=\"{left}\" y2=\"{top + plotH}\" stroke=\"#333\"/><line x1=\"{left}\" y1=\"{top + plotH}\" x2=\"{width - right}\" y2=\"{top + plotH}\" stroke=\"#333\"/>"));
        svg.Append(F($"<text x=\"{left + plotW / 2}\" y=\"{height - 8}\" text-anchor=\"middle\">ε (L∞, as a fraction of the input range)</text>"));
        svg.Append(F($"<text x=\"14\" y=\"{top + plotH / 2}\" text-anchor=\"middle\" transform=\"rotate(-90 14 {top + plotH / 2})\">accuracy</text>"));
        for (int s = 0; s < series.Count; s++)
        {
            string colour = Colours[s % Colours.Length];
            var points = series[s].Points.Select(p => F($"{X(p.Epsilon):0.##},{Y(p.Accuracy):0.##}")).ToList();
            svg.Append(F($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', points)}\"/>"));
            foreach (var p in series[s].Points)
                svg.Append(F($"<circle cx=\"{X(p.Epsilon):0.##}\" cy=\"{Y(p.Accuracy):0.##}\" r=\"3.5\" fill=\"{colour}\"><title>{series[s].Name} ε = {p.Epsilon:G3}: {p.Accuracy:0.000}</title></circle>"));
            double ly = top + 14 + s * 18, lx = width - right - 150;
            svg.Append(F($"<line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 24}\" y2=\"{ly}\" stroke=\"{colour}\" stroke-width=\"2\"/>"));
            svg.Append(F($"<text x=\"{lx + 30}\" y=\"{ly + 4}\">{Html.Escape(series[s].Name)}</text>"));
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}

/// <summary>Escaping for text placed in HTML or SVG.</summary>
internal static class Html
{
    public static string Escape(string s) => System.Net.WebUtility.HtmlEncode(s);
}
