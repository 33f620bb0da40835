using Dendrite.Cli.Plotting;

namespace Dendrite.Tests.Cli;

public sealed class SvgChartTests
{
    [Fact]
    public void NiceTicks_AreRoundAndCoverTheRange()
    {
        Assert.Equal([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], SvgChart.NiceTicks(0.03, 0.97, 6));
        Assert.Equal([1.0, 2, 3, 4, 5], SvgChart.NiceTicks(1, 5, 5));
    }

    [Fact]
    public void Render_DrawsAxesLinesAndLegend_SkippingNaN()
    {
        string svg = SvgChart.Render("Loss", "loss", [("train", [2.0, 1.0, 0.5]), ("validation", [double.NaN, 1.2, 0.7])]);
        Assert.StartsWith("<svg", svg);
        Assert.Equal(2, svg.Split("<polyline").Length - 1);
        Assert.Equal(5, svg.Split("<circle").Length - 1);
        Assert.Contains(">validation<", svg);
        Assert.DoesNotContain("NaN", svg);
    }

    [Theory]
    [InlineData(4.575894481307212E+31, 4.575894481307212E+31)] // a diverging run's single epoch: ±0.5 vanishes next to it
    [InlineData(-3.4e38, 3.4e38)] // the widest a float loss can span
    [InlineData(1e-300, 1e-300)]
    public void Render_CopesWithHugeAndFlatValues(double first, double second)
    {
        string svg = SvgChart.Render("Loss", "loss", [("train", [first, second])]);
        Assert.EndsWith("</svg>\n", svg);
        Assert.True(svg.Length < 20_000, $"{svg.Length} characters");
        Assert.DoesNotContain("NaN", svg);
    }
}
