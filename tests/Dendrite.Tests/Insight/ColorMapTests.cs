using Dendrite.Insight;

namespace Dendrite.Tests.Insight;

public class ColorMapTests
{
    // matplotlib's _viridis_data (van der Walt and Smith), entries 0, 64, 128 and 255, as floats.
    [Theory]
    [InlineData(0, 0.267004, 0.004874, 0.329415)]
    [InlineData(64, 0.229739, 0.322361, 0.545706)]
    [InlineData(128, 0.127568, 0.566949, 0.550556)]
    [InlineData(255, 0.993248, 0.906157, 0.143936)]
    public void ViridisMatchesThePublishedTable(int index, double r, double g, double b)
    {
        var expected = new Rgb(Byte(r), Byte(g), Byte(b));
        Assert.Equal(expected, ColorMap.Viridis[index]);
        Assert.Equal(expected, ColorMap.Viridis.Map(index / 255f));
    }

    [Fact]
    public void ViridisIsBrighterAllTheWay()
    {
        // Its defining property: lightness rises monotonically, so it reads correctly in grey.
        double previous = -1;
        for (int i = 0; i < 256; i += 8)
        {
            var c = ColorMap.Viridis[i];
            double luma = 0.2126 * c.R + 0.7152 * c.G + 0.0722 * c.B;
            Assert.True(luma > previous, $"entry {i}: luma {luma} after {previous}");
            previous = luma;
        }
    }

    // Moreland's CoolWarmFloat33 table (kennethmoreland.com/color-maps), the rows at 0, ¼, ½, ¾ and 1.
    [Theory]
    [InlineData(0.0, 0.2298057, 0.298717966, 0.753683153)]
    [InlineData(0.25, 0.552953156, 0.688929332, 0.995375608)]
    [InlineData(0.5, 0.865395197, 0.86541021, 0.865395561)]
    [InlineData(0.75, 0.958003065, 0.602842431, 0.481775914)]
    [InlineData(1.0, 0.705673158, 0.01555616, 0.150232812)]
    public void CoolWarmMatchesMorelandsTable(double t, double r, double g, double b)
    {
        var c = ColorMap.CoolWarm.Map((float)t);
        // Within one 8-bit level: the table is computed from the paper's formula, not copied.
        Assert.InRange(c.R, Byte(r) - 1, Byte(r) + 1);
        Assert.InRange(c.G, Byte(g) - 1, Byte(g) + 1);
        Assert.InRange(c.B, Byte(b) - 1, Byte(b) + 1);
    }

    [Fact]
    public void CoolWarmEndpointsAreThePapersColours()
    {
        Assert.Equal(new Rgb(59, 76, 192), ColorMap.CoolWarm.Map(0));
        Assert.Equal(new Rgb(180, 4, 38), ColorMap.CoolWarm.Map(1));
        var mid = ColorMap.CoolWarm.Map(0.5f);
        Assert.All(new[] { mid.R, mid.G, mid.B }, c => Assert.InRange(c, 220, 222));
        Assert.True(ColorMap.CoolWarm.Diverging);
        Assert.False(ColorMap.Viridis.Diverging);
    }

    [Fact]
    public void ClampsOutOfRangeAndMarksNaN()
    {
        Assert.Equal(ColorMap.Viridis[0], ColorMap.Viridis.Map(-3));
        Assert.Equal(ColorMap.Viridis[255], ColorMap.Viridis.Map(7));
        Assert.Equal(ColorMap.Bad, ColorMap.Viridis.Map(float.NaN));
        Assert.Equal(new Rgb(0, 0, 0), ColorMap.Greys.Map(0));
        Assert.Equal(new Rgb(255, 255, 255), ColorMap.Greys.Map(1));
    }

    [Fact]
    public void NamesAndHex()
    {
        Assert.Same(ColorMap.CoolWarm, ColorMap.FromName("CoolWarm"));
        Assert.Equal("#440154", ColorMap.FromName("viridis").Map(0).Hex);
        Assert.Equal(new Rgb(0x21, 0x91, 0x8c), Rgb.Parse("#21918c"));
        var e = Assert.Throws<ArgumentException>(() => ColorMap.FromName("jet"));
        Assert.Contains("'jet'", e.Message);
        Assert.Throws<FormatException>(() => Rgb.Parse("#12345"));
    }

    private static byte Byte(double v) => (byte)Math.Round(v * 255);
}
