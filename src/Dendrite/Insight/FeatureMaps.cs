using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// A layer's output for one sample as a picture (Zeiler and Fergus, ECCV 2014; Yosinski et al., "Understanding
/// Neural Networks Through Deep Visualization", 2015): each channel of a convolutional output a tile, a flat
/// output one strip of cells. Pairs with <c>Activations.Capture</c>, which gives every layer's output.
/// </summary>
public static class FeatureMaps
{
    /// <summary>
    /// <paramref name="output"/> as tiles: [C, H, W] or [1, C, H, W] gives C tiles (viridis by default; each
    /// channel on its own range unless <paramref name="scale"/> is shared); [F] or [1, F] gives one row of F
    /// cells on one range. A batch of more than one sample is an error: pick one with <c>output[i]</c>.
    /// </summary>
    public static RgbImage Grid(Tensor output, ColorMap? colorMap = null, TileScale scale = TileScale.PerTile, int columns = 0,
        int padding = 1, int upscale = 1)
    {
        ArgumentNullException.ThrowIfNull(output);
        var shape = output.Shape.ToArray();
        if (shape.Length is 2 or 4 && shape[0] != 1)
            throw new ArgumentException($"FeatureMaps.Grid: expected the output for one sample ([C,H,W], [1,C,H,W], [F] or [1,F]), got a batch of shape {output.Shape}; pick a sample with output[i]", nameof(output));
        if (shape.Length is 2 or 4) shape = shape[1..];
        if (shape.Length == 1)
            return ImageGrid.Tile(output.Reshape(1, shape[0]), colorMap, TileScale.Shared, padding: padding, upscale: upscale);
        if (shape.Length != 3)
            throw new ArgumentException($"FeatureMaps.Grid: expected [C,H,W], [1,C,H,W], [F] or [1,F], got shape {output.Shape}", nameof(output));
        return ImageGrid.Tile(output.Reshape(shape), colorMap, scale, columns: columns, padding: padding, upscale: upscale);
    }
}
