using Dendrite.Data.Formats;
using Dendrite.Insight;

namespace Dendrite.Tests.Insight;

public class ImageGridTests
{
    private static readonly Rgb White = new(255, 255, 255);

    [Fact]
    public void TilesRowMajorWithPadding()
    {
        // Four 3×5 maps, two columns, one pixel of padding around and between.
        var maps = Tensor.Arange(60).Reshape(4, 3, 5);
        var grid = ImageGrid.Tile(maps, columns: 2, padding: 1);
        Assert.Equal((2 * (5 + 1) + 1, 2 * (3 + 1) + 1), (grid.Width, grid.Height));
        for (int x = 0; x < grid.Width; x++) Assert.Equal(White, grid[x, 0]);
        for (int y = 0; y < grid.Height; y++) Assert.Equal(White, grid[6, y]);
        // Per tile, each map spans the whole colour map: first pixel lowest, last pixel highest.
        foreach (var (x0, y0) in new[] { (1, 1), (7, 1), (1, 5), (7, 5) })
        {
            Assert.Equal(ColorMap.Viridis[0], grid[x0, y0]);
            Assert.Equal(ColorMap.Viridis[255], grid[x0 + 4, y0 + 2]);
        }
    }

    [Fact]
    public void SharedScaleComparesTiles()
    {
        var maps = Tensor.Cat([Tensor.Full([1, 2, 2], 1f), Tensor.Full([1, 2, 2], 3f)]);
        var perTile = ImageGrid.Tile(maps, padding: 0);
        var shared = ImageGrid.Tile(maps, scale: TileScale.Shared, padding: 0);
        // Constant tiles: on their own range both take t = 0; on the shared range 1 → t = 0 and 3 → t = 1.
        Assert.Equal(perTile[0, 0], perTile[2, 0]);
        Assert.Equal(ColorMap.Viridis[0], shared[0, 0]);
        Assert.Equal(ColorMap.Viridis[255], shared[2, 0]);
    }

    [Fact]
    public void DivergingMapsKeepZeroInTheMiddle()
    {
        var map = Tensor.FromArray([-2f, 0f, 1f], 1, 3);
        var image = ImageGrid.Render(map, ColorMap.CoolWarm);
        Assert.Equal(ColorMap.CoolWarm.Map(0), image[0, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.5f), image[1, 0]);
        Assert.Equal(ColorMap.CoolWarm.Map(0.75f), image[2, 0]);
    }

    [Fact]
    public void ExplicitRangeAndRgbTiles()
    {
        var image = ImageGrid.Render(Tensor.FromArray([0f, 0.5f, 1f], 1, 3), ColorMap.Greys, range: (0, 1));
        Assert.Equal(new Rgb(128, 128, 128), image[1, 0]);
        // An [N,3,H,W] tensor is colour: (1, 0, 0) is red after scaling to the tile's [0, 1].
        var rgb = Tensor.Zeros(1, 3, 1, 2);
        rgb[0, 0, 0, 0].Fill_(1f);
        rgb[0, 2, 0, 1].Fill_(1f);
        var tile = ImageGrid.Tile(rgb, padding: 0);
        Assert.Equal(new Rgb(255, 0, 0), tile[0, 0]);
        Assert.Equal(new Rgb(0, 0, 255), tile[1, 0]);
    }

    [Fact]
    public void DefaultColumnsAreTheCeilingOfTheSquareRoot()
    {
        var grid = ImageGrid.Tile(Tensor.Zeros(5, 2, 2), padding: 0, upscale: 3);
        Assert.Equal((3 * 6, 2 * 6), (grid.Width, grid.Height));
    }

    [Fact]
    public void PngRoundTrip()
    {
        var grid = ImageGrid.Tile(Tensor.Randn(new Generator(1), 3, 4, 4), ColorMap.CoolWarm);
        var decoded = Png.Decode(grid.ToPng());
        Assert.Equal((grid.Width, grid.Height, 3), (decoded.Width, decoded.Height, decoded.Channels));
        Assert.Equal(grid.Pixels, decoded.Samples.Select(s => (byte)s).ToArray());
        Assert.StartsWith("data:image/png;base64,iVBOR", grid.ToDataUri());
    }

    [Fact]
    public void BadInputNamesTheShape()
    {
        var e = Assert.Throws<ArgumentException>(() => ImageGrid.Tile(Tensor.Zeros(2, 2, 2, 2, 2)));
        Assert.Contains("[2,2,2,2,2]", e.Message);
        Assert.Throws<ArgumentException>(() => ImageGrid.Tile(Tensor.Zeros(2, 3, 3), range: (1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageGrid.Tile(Tensor.Zeros(2, 3, 3), padding: -1));
        Assert.Throws<ArgumentException>(() => ImageGrid.Render(Tensor.Zeros(1, 3, 3)));
    }
}
