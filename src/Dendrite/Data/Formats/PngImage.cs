using Dendrite.Tensors;

namespace Dendrite.Data.Formats;

/// <summary>
/// A decoded PNG image: <see cref="Height"/> × <see cref="Width"/> pixels of <see cref="Channels"/>
/// interleaved samples, row-major, each in 0…<see cref="MaxValue"/>. Channels: 1 grey, 2 grey+alpha,
/// 3 RGB, 4 RGBA. Palette images are expanded to RGB (RGBA when they have a tRNS chunk) with 8-bit
/// samples; a tRNS colour key on a grey or RGB image becomes an alpha channel (0 where the key matches,
/// <see cref="MaxValue"/> elsewhere). Sub-byte grey samples (1, 2, 4 bits) keep their range
/// (<see cref="MaxValue"/> = 2^bits − 1), so value / MaxValue is always the intensity in [0, 1].
/// </summary>
public sealed class PngImage
{
    internal PngImage(int width, int height, int channels, int maxValue, ushort[] samples)
    {
        Width = width;
        Height = height;
        Channels = channels;
        MaxValue = maxValue;
        Samples = samples;
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>Samples per pixel: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA.</summary>
    public int Channels { get; }

    /// <summary>The largest sample value: 2^bitDepth − 1 (255 for 8-bit images and expanded palettes).</summary>
    public int MaxValue { get; }

    /// <summary>The samples, (y · Width + x) · Channels + c.</summary>
    public ushort[] Samples { get; }

    /// <summary>
    /// The image as a [C, H, W] tensor of value / MaxValue in [0, 1]. <paramref name="channels"/> picks the
    /// layout: 1 grey (from colour: ITU-R 601-2 luma 0.299 R + 0.587 G + 0.114 B, as PIL's "L"), 3 RGB
    /// (grey replicated), 4 RGBA (alpha 1 where the image has none), or 0 = the image's own channels. Alpha is
    /// dropped, not composited, when converting to grey or RGB (as PIL's convert does).
    /// </summary>
    public Tensor ToTensor(int channels = 0)
    {
        if (channels == 0) channels = Channels;
        if (channels is not (1 or 3 or 4) && channels != Channels)
            throw new ArgumentOutOfRangeException(nameof(channels), $"PngImage.ToTensor: channels must be 0, 1, 3 or 4, got {channels}");
        var result = Tensor.Zeros(channels, Height, Width);
        var dst = result.Data;
        int plane = Height * Width, c = Channels;
        bool colour = c >= 3, alpha = c is 2 or 4;
        float max = MaxValue; // divide (not multiply by 1/max) so byte/255 matches the MNIST loader bit for bit
        for (int p = 0; p < plane; p++)
        {
            int s = p * c;
            float r = Samples[s] / max;
            float g = colour ? Samples[s + 1] / max : r;
            float b = colour ? Samples[s + 2] / max : r;
            float a = alpha ? Samples[s + c - 1] / max : 1f;
            if (channels == Channels)
                for (int k = 0; k < c; k++) dst[k * plane + p] = Samples[s + k] / max;
            else if (channels == 1)
                dst[p] = colour ? 0.299f * r + 0.587f * g + 0.114f * b : r;
            else
            {
                dst[p] = r;
                dst[plane + p] = g;
                dst[2 * plane + p] = b;
                if (channels == 4) dst[3 * plane + p] = a;
            }
        }
        return result;
    }
}
