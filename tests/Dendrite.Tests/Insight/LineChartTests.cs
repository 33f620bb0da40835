using Dendrite.Insight;

namespace Dendrite.Tests.Insight;

public sealed class LineChartTests
{
    [Fact]
    public void Render_DrawsAnyXWithRoundTicks()
    {
        var x = Enumerable.Range(0, 81).Select(i => -4 + i * 0.1).ToArray();
        string svg = LineChart.Render("Sigmoid", "z", "g(z)", [new ChartSeries("sigmoid", x, [.. x.Select(v => 1 / (1 + Math.Exp(-v)))])]);
        Assert.StartsWith("<svg", svg);
        Assert.Equal(1, svg.Split("<polyline").Length - 1);
        Assert.Contains(">-4<", svg);
        Assert.Contains(">4<", svg);
        Assert.Contains(">z<", svg);
        // Many points and no markers asked for: a line only.
        Assert.DoesNotContain("<circle", svg);
    }

    [Fact]
    public void Render_LeavesOutNonFinitePointsAndKeepsAFixedRange()
    {
        string svg = LineChart.Render("Loss", "step", "loss",
            [ChartSeries.PerStep("diverging", [1.0, 10.0, 1e30, double.PositiveInfinity, double.NaN])], markers: true, yRange: (0, 20));
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        // Only the two points inside the fixed range get a dot; the line to 1e30 is clipped by the plot area.
        Assert.Equal(2, svg.Split("<circle").Length - 1);
        Assert.Contains("clip-path=\"url(#plot)\"", svg);
        Assert.Contains(">20<", svg);
        Assert.DoesNotContain(">25<", svg);
    }

    [Fact]
    public void Render_RefusesSeriesWhoseLengthsDiffer()
    {
        var error = Assert.Throws<ArgumentException>(() => LineChart.Render("t", "x", "y", [new ChartSeries("bad", [1.0, 2.0], [1.0])]));
        Assert.Contains("'bad' has 2 x values but 1 y values", error.Message);
    }

    [Fact]
    public void Save_WritesTheSvgFile()
    {
        var path = Path.Combine(Path.GetTempPath(), $"dendrite-linechart-{Guid.NewGuid():N}.svg");
        try
        {
            LineChart.Save(path, "t", "x", "y", [ChartSeries.PerStep("a", [1.0, 2.0])]);
            Assert.Equal(LineChart.Render("t", "x", "y", [ChartSeries.PerStep("a", [1.0, 2.0])]), File.ReadAllText(path));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
