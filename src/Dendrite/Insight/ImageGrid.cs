using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>How the values of a set of tiles are brought to colours.</summary>
public enum TileScale
{
    /// <summary>Each tile from its own range: every tile uses the whole colour map (shapes show, sizes do not compare).</summary>
    PerTile,

    /// <summary>One range for all tiles: colours compare across tiles (a weak filter looks weak).</summary>
    Shared,
}

/// <summary>
/// Tiles a set of 2-D maps — filters, feature maps, saliency maps, images — into one picture, the way
/// torchvision's <c>make_grid</c> does: row-major, <c>columns</c> per row (⌈√N⌉ by default), with
/// <c>padding</c> background pixels around and between tiles.
/// </summary>
/// <remarks>
/// Scaling: with a sequential map, t = (v − lo) / (hi − lo) over the range (the tile's or all tiles', or the
/// one given); with a diverging map (or <c>symmetric</c>) zero stays in the middle: t = ½ + v / (2·max|v|).
/// A constant tile takes the colour of t = 0 (t = ½ when symmetric). NaN is <see cref="ColorMap.Bad"/>.
/// </remarks>
public static class ImageGrid
{
    /// <summary>
    /// Tiles <paramref name="maps"/>: [N, H, W] or [N, 1, H, W] (each map through <paramref name="colorMap"/>,
    /// viridis by default), [N, 3, H, W] (RGB tiles, each channel scaled alike; no colour map) or one [H, W] map.
    /// <paramref name="range"/>, when given, replaces the computed range (the same for every tile).
    /// </summary>
    public static RgbImage Tile(Tensor maps, ColorMap? colorMap = null, TileScale scale = TileScale.PerTile, bool? symmetric = null,
        (float Low, float High)? range = null, int columns = 0, int padding = 1, int upscale = 1, Rgb? background = null)
    {
        ArgumentNullException.ThrowIfNull(maps);
        colorMap ??= ColorMap.Viridis;
        bool sym = symmetric ?? colorMap.Diverging;
        var shape = maps.Shape.ToArray();
        bool rgb = shape.Length == 4 && shape[1] == 3;
        if (shape.Length == 2) shape = [1, .. shape];
        else if (shape.Length == 4 && shape[1] == 1) shape = [shape[0], shape[2], shape[3]];
        else if (!rgb && shape.Length != 3)
            throw new ArgumentException($"ImageGrid.Tile: expected maps [N,H,W], [N,1,H,W], [N,3,H,W] or one map [H,W], got shape {maps.Shape}", nameof(maps));
        if (range is { } r && !(r.High > r.Low))
            throw new ArgumentException($"ImageGrid.Tile: range must have High > Low, got ({r.Low}, {r.High})", nameof(range));
        int n = shape[0], h = shape[^2], w = shape[^1], plane = rgb ? 3 * h * w : h * w;
        if (n == 0 || h == 0 || w == 0) throw new ArgumentException($"ImageGrid.Tile: no pixels in maps of shape {maps.Shape}", nameof(maps));
        float[] data = maps.ToArray();
        var shared = Range(data, 0, data.Length, sym);
        var tiles = new RgbImage[n];
        for (int i = 0; i < n; i++)
        {
            var (lo, hi) = range ?? (scale == TileScale.Shared ? shared : Range(data, i * plane, plane, sym));
            tiles[i] = rgb ? RenderRgb(data, i * plane, h, w, lo, hi) : Render(data, i * plane, h, w, lo, hi, colorMap);
        }
        return Tile(tiles, columns, padding, upscale, background);
    }

    /// <summary>Tiles pictures of any sizes: each cell is as large as the largest picture, pictures at its top left.</summary>
    public static RgbImage Tile(IReadOnlyList<RgbImage> tiles, int columns = 0, int padding = 1, int upscale = 1, Rgb? background = null)
    {
        ArgumentNullException.ThrowIfNull(tiles);
        if (tiles.Count == 0) throw new ArgumentException("ImageGrid.Tile: no tiles", nameof(tiles));
        if (padding < 0) throw new ArgumentOutOfRangeException(nameof(padding), $"ImageGrid.Tile: padding must be ≥ 0, got {padding}");
        if (upscale < 1) throw new ArgumentOutOfRangeException(nameof(upscale), $"ImageGrid.Tile: upscale must be ≥ 1, got {upscale}");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), $"ImageGrid.Tile: columns must be ≥ 0 (0: ⌈√N⌉), got {columns}");
        if (columns == 0) columns = (int)Math.Ceiling(Math.Sqrt(tiles.Count));
        columns = Math.Min(columns, tiles.Count);
        int rows = (tiles.Count + columns - 1) / columns;
        int cellW = tiles.Max(t => t.Width) * upscale, cellH = tiles.Max(t => t.Height) * upscale;
        var result = new RgbImage(columns * (cellW + padding) + padding, rows * (cellH + padding) + padding, background ?? new Rgb(255, 255, 255));
        for (int i = 0; i < tiles.Count; i++)
            result.Draw(tiles[i].Upscale(upscale), padding + i % columns * (cellW + padding), padding + i / columns * (cellH + padding));
        return result;
    }

    /// <summary>One [H, W] map as a picture through <paramref name="colorMap"/> (viridis by default), scaled as <see cref="Tile(Tensor, ColorMap?, TileScale, bool?, ValueTuple{float, float}?, int, int, int, Rgb?)"/> scales a tile.</summary>
    public static RgbImage Render(Tensor map, ColorMap? colorMap = null, bool? symmetric = null, (float Low, float High)? range = null)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (map.Rank != 2) throw new ArgumentException($"ImageGrid.Render: expected one map [H,W], got shape {map.Shape}", nameof(map));
        return Tile(map, colorMap, TileScale.PerTile, symmetric, range, columns: 1, padding: 0);
    }

    /// <summary>The range of data[offset..offset+count]: (min, max), or (−m, m) with m = max|v| when symmetric; NaN ignored.</summary>
    internal static (float Low, float High) Range(float[] data, int offset, int count, bool symmetric)
    {
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        for (int i = offset; i < offset + count; i++)
        {
            float v = data[i];
            if (float.IsNaN(v)) continue;
            if (v < lo) lo = v;
            if (v > hi) hi = v;
        }
        if (lo > hi) return symmetric ? (-1, 1) : (0, 1);
        if (symmetric)
        {
            float m = Math.Max(Math.Abs(lo), Math.Abs(hi));
            return m > 0 ? (-m, m) : (-1, 1);
        }
        return (lo, hi);
    }

    /// <summary>Where <paramref name="v"/> falls in [lo, hi], as t in [0, 1] (0 when the range is empty).</summary>
    internal static float Position(float v, float lo, float hi) => hi > lo ? (v - lo) / (hi - lo) : 0f;

    private static RgbImage Render(float[] data, int offset, int h, int w, float lo, float hi, ColorMap map)
    {
        var image = new RgbImage(w, h);
        var px = image.Pixels;
        for (int p = 0; p < h * w; p++)
        {
            var c = map.Map(Position(data[offset + p], lo, hi));
            px[3 * p] = c.R;
            px[3 * p + 1] = c.G;
            px[3 * p + 2] = c.B;
        }
        return image;
    }

    private static RgbImage RenderRgb(float[] data, int offset, int h, int w, float lo, float hi)
    {
        var image = new RgbImage(w, h);
        int plane = h * w;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
            {
                float v = data[offset + c * plane + p];
                image.Pixels[3 * p + c] = float.IsNaN(v) ? (byte)0 : (byte)MathF.Round(Math.Clamp(Position(v, lo, hi), 0f, 1f) * 255f);
            }
        return image;
    }
}
