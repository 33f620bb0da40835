using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

public class FiltersTests
{
    [Fact]
    public void FirstConvOfLeNetIsSixTiles()
    {
        var grid = Filters.Grid(Models.LeNet5(generator: new Generator(3)));
        // Six 5×5 filters in ⌈√6⌉ = 3 columns and 2 rows, 1 pixel of padding.
        Assert.Equal((3 * 6 + 1, 2 * 6 + 1), (grid.Width, grid.Height));
    }

    [Fact]
    public void ManyChannelFiltersAreOneColumnPerFilter()
    {
        var grid = Filters.Grid(Models.LeNet5(generator: new Generator(3)), layer: "3", upscale: 2);
        // 16 filters over 6 input channels: 16 columns, 6 rows of 10×10 tiles.
        Assert.Equal((16 * 11 + 1, 6 * 11 + 1), (grid.Width, grid.Height));
    }

    [Fact]
    public void ManyChannelFiltersShareOneScalePerFilter()
    {
        var conv = new Conv2d(2, 2, 1, bias: false);
        using (GradMode.NoGrad()) conv.Weight.CopyFrom_(Tensor.FromArray([1f, 0.5f, 4f, 2f], 2, 2, 1, 1));
        var perFilter = Filters.Grid(conv, padding: 0);
        // Column o is filter o, row i its weight on input channel i.
        Assert.Equal(ColorMap.CoolWarm.Map(1), perFilter[0, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.75f), perFilter[0, 1]);
        Assert.Equal(ColorMap.CoolWarm.Map(1), perFilter[1, 0]);
        var shared = Filters.Grid(conv, TileScale.Shared, padding: 0);
        Assert.Equal(ColorMap.CoolWarm.Map(0.625f), shared[0, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.75f), shared[1, 1]);
    }

    [Fact]
    public void SignedWeightsUseTheDivergingMap()
    {
        var conv = new Conv2d(1, 2, 2);
        using (GradMode.NoGrad())
            conv.Weight.CopyFrom_(Tensor.FromArray([-1f, 0f, 0f, 1f, -0.5f, 0f, 0f, 0.5f], 2, 1, 2, 2));
        var perFilter = Filters.Grid(conv, padding: 0);
        Assert.Equal(ColorMap.CoolWarm.Map(0), perFilter[0, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.5f), perFilter[1, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(1), perFilter[1, 1]);
        // Per filter, the half-size second filter looks the same; on the shared scale it is paler.
        Assert.Equal(perFilter[0, 0], perFilter[2, 0]);
        var shared = Filters.Grid(conv, TileScale.Shared, padding: 0);
        Assert.Equal(ColorMap.CoolWarm.Map(0.25f), shared[2, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.75f), shared[3, 1]);
    }

    [Fact]
    public void ThreeChannelFiltersAreInColour()
    {
        var conv = new Conv2d(3, 1, 1);
        using (GradMode.NoGrad()) conv.Weight.CopyFrom_(Tensor.FromArray([2f, 0f, -2f], 1, 3, 1, 1));
        // w → ½ + w / (2·max|w|) per channel: red full, green grey, blue none.
        Assert.Equal(new Rgb(255, 128, 0), Filters.Grid(conv, padding: 0)[0, 0]);
    }

    [Fact]
    public void ModelWithoutConvolutionsIsAClearError()
    {
        var mlp = Models.Mlp(4, [8], 2);
        var e = Assert.Throws<ArgumentException>(() => Filters.Grid(mlp));
        Assert.Contains("no Conv2d", e.Message);
        Assert.Contains("Linear", e.Message);
    }

    [Fact]
    public void NonConvLayerIsAClearError()
    {
        var lenet = Models.LeNet5();
        var e = Assert.Throws<ArgumentException>(() => Filters.Grid(lenet, layer: "1"));
        Assert.Contains("layer '1' is ReLU, not Conv2d", e.Message);
        Assert.Contains("'0', '3'", e.Message);
        e = Assert.Throws<ArgumentException>(() => Filters.Grid(lenet, layer: "conv9"));
        Assert.Contains("no layer named 'conv9'", e.Message);
        Assert.Equal(new[] { "0", "3" }, Filters.ConvLayers(lenet).Select(c => c.Name));
    }
}
