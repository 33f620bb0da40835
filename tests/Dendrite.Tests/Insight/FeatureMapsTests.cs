using Dendrite.Insight;

namespace Dendrite.Tests.Insight;

public class FeatureMapsTests
{
    [Fact]
    public void ChannelsBecomeTiles()
    {
        var grid = FeatureMaps.Grid(Tensor.Randn(new Generator(2), 1, 6, 28, 28));
        Assert.Equal((3 * 29 + 1, 2 * 29 + 1), (grid.Width, grid.Height));
        var same = FeatureMaps.Grid(Tensor.Randn(new Generator(2), 6, 28, 28));
        Assert.Equal(grid.Pixels, same.Pixels);
    }

    [Fact]
    public void FlatOutputsAreOneStrip()
    {
        var strip = FeatureMaps.Grid(Tensor.FromArray([0f, 1f, 2f, 3f], 1, 4), padding: 0);
        Assert.Equal((4, 1), (strip.Width, strip.Height));
        Assert.Equal(ColorMap.Viridis[0], strip[0, 0]);
        Assert.Equal(ColorMap.Viridis[255], strip[3, 0]);
    }

    [Fact]
    public void ABatchIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => FeatureMaps.Grid(Tensor.Zeros(2, 6, 4, 4)));
        Assert.Contains("[2,6,4,4]", e.Message);
        Assert.Contains("one sample", e.Message);
        Assert.Throws<ArgumentException>(() => FeatureMaps.Grid(Tensor.Zeros(1, 1, 2, 2, 2)));
    }

    [Fact]
    public void OverlayWeighsColourByMagnitude()
    {
        var image = Tensor.Full([1, 1, 3], 0.5f);
        var heat = Tensor.FromArray([0f, -1f, 2f], 1, 3);
        var over = Overlay.Heatmap(image, heat, ColorMap.CoolWarm, opacity: 1f, brightness: 1f);
        Assert.Equal(new Rgb(128, 128, 128), over[0, 0]);                     // no attribution: the input
        Assert.Equal(ColorMap.CoolWarm.Map(1), over[2, 0]);                   // the largest: the map alone
        Assert.Equal(Rgb.Lerp(new Rgb(128, 128, 128), ColorMap.CoolWarm.Map(0.25f), 0.5f), over[1, 0]);
        var e = Assert.Throws<ArgumentException>(() => Overlay.Heatmap(image, Tensor.Zeros(2, 2)));
        Assert.Contains("[1,3]", e.Message);
        Assert.Equal(new Rgb(64, 64, 64), Overlay.Heatmap(image, heat, ColorMap.CoolWarm)[0, 0]); // the input dimmed to half
    }
}
