using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// An attribution map (saliency, integrated gradients, ...) drawn over the input it explains: the input in
/// grey, the map in colour on top with an opacity that grows with the map's magnitude, so pixels the map
/// calls unimportant show the input and important ones show the map.
/// </summary>
public static class Overlay
{
    /// <summary>
    /// <paramref name="heat"/> ([H, W], or [1, H, W]) over <paramref name="image"/> ([H, W], [1, H, W] or
    /// [3, H, W] of values in [0, 1]). With a sequential map (viridis by default) the magnitude |h| / max|h|
    /// picks the colour; with a diverging one (<see cref="ColorMap.CoolWarm"/> for signed attributions) the
    /// sign does, ½ + h / (2·max|h|). Either way the colour's weight is <paramref name="opacity"/> · |h| / max|h|.
    /// The input is drawn at <paramref name="brightness"/> (½ by default) of its grey level, so that the
    /// colours stand out from bright strokes.
    /// </summary>
    public static RgbImage Heatmap(Tensor image, Tensor heat, ColorMap? colorMap = null, float opacity = 0.8f, float brightness = 0.5f)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(heat);
        if (!(opacity is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(opacity), $"Overlay.Heatmap: opacity must be in [0, 1], got {opacity}");
        if (!(brightness is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(brightness), $"Overlay.Heatmap: brightness must be in [0, 1], got {brightness}");
        colorMap ??= ColorMap.Viridis;
        if (image.Rank == 2) image = image.Unsqueeze(0);
        if (heat.Rank == 3 && heat.Shape[0] == 1) heat = heat.Squeeze(0);
        if (image.Rank != 3 || image.Shape[0] is not (1 or 3))
            throw new ArgumentException($"Overlay.Heatmap: expected an image [H,W], [1,H,W] or [3,H,W], got shape {image.Shape}", nameof(image));
        int h = image.Shape[1], w = image.Shape[2];
        if (heat.Rank != 2 || heat.Shape[0] != h || heat.Shape[1] != w)
            throw new ArgumentException($"Overlay.Heatmap: the map must be [{h},{w}] like the image {image.Shape}, got shape {heat.Shape}", nameof(heat));
        float[] pixels = image.ToArray(), values = heat.ToArray();
        float max = 0;
        foreach (var v in values) if (float.IsFinite(v)) max = Math.Max(max, Math.Abs(v));
        var result = new RgbImage(w, h);
        int plane = h * w;
        bool colour = image.Shape[0] == 3;
        for (int p = 0; p < plane; p++)
        {
            byte r = Byte(pixels[p]), g = colour ? Byte(pixels[plane + p]) : r, b = colour ? Byte(pixels[2 * plane + p]) : r;
            // Grey, so the overlay's colours are the only colours in the picture.
            byte grey = (byte)Math.Round(brightness * (0.299 * r + 0.587 * g + 0.114 * b));
            var under = new Rgb(grey, grey, grey);
            float v = float.IsFinite(values[p]) ? values[p] : 0, weight = max > 0 ? Math.Abs(v) / max : 0;
            var over = colorMap.Map(colorMap.Diverging ? 0.5f + (max > 0 ? v / (2 * max) : 0) : weight);
            result[p % w, p / w] = Rgb.Lerp(under, over, opacity * weight);
        }
        return result;
    }

    private static byte Byte(float v) => (byte)MathF.Round(Math.Clamp(float.IsNaN(v) ? 0 : v, 0f, 1f) * 255f);
}
