using Dendrite.Data.Formats;
using Dendrite.Serialization;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// An 8-bit RGB picture, the common result of the Insight renderers (filter grids, feature maps, decision
/// boundaries, overlays): <see cref="Width"/> × <see cref="Height"/> pixels, row 0 at the top, written as PNG
/// through <see cref="Png.Encode(ReadOnlySpan{byte}, int, int, int)"/>.
/// </summary>
public sealed class RgbImage
{
    /// <summary>A picture filled with <paramref name="background"/> (white by default).</summary>
    public RgbImage(int width, int height, Rgb? background = null)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"RgbImage: size must be positive, got {width}×{height}");
        if ((long)width * height > 1 << 26)
            throw new ArgumentOutOfRangeException(nameof(width), $"RgbImage: {width}×{height} is larger than 2^26 pixels");
        Width = width;
        Height = height;
        Pixels = new byte[width * height * 3];
        Fill(background ?? new Rgb(255, 255, 255));
    }

    /// <summary>Width in pixels.</summary>
    public int Width { get; }

    /// <summary>Height in pixels.</summary>
    public int Height { get; }

    /// <summary>The samples, (y · Width + x) · 3 + channel (R, G, B).</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixel in column <paramref name="x"/> of row <paramref name="y"/>.</summary>
    public Rgb this[int x, int y]
    {
        get
        {
            int i = Index(x, y);
            return new(Pixels[i], Pixels[i + 1], Pixels[i + 2]);
        }
        set
        {
            int i = Index(x, y);
            Pixels[i] = value.R;
            Pixels[i + 1] = value.G;
            Pixels[i + 2] = value.B;
        }
    }

    /// <summary>Sets every pixel to <paramref name="colour"/>.</summary>
    public void Fill(Rgb colour)
    {
        for (int i = 0; i < Pixels.Length; i += 3)
        {
            Pixels[i] = colour.R;
            Pixels[i + 1] = colour.G;
            Pixels[i + 2] = colour.B;
        }
    }

    /// <summary>Copies <paramref name="source"/> with its top-left corner at (<paramref name="x"/>, <paramref name="y"/>), clipped to this picture.</summary>
    public void Draw(RgbImage source, int x, int y)
    {
        ArgumentNullException.ThrowIfNull(source);
        for (int sy = Math.Max(0, -y); sy < source.Height && y + sy < Height; sy++)
        {
            int x0 = Math.Max(0, -x), x1 = Math.Min(source.Width, Width - x);
            if (x1 <= x0) return;
            Array.Copy(source.Pixels, (sy * source.Width + x0) * 3, Pixels, ((y + sy) * Width + x + x0) * 3, (x1 - x0) * 3);
        }
    }

    /// <summary>The picture enlarged <paramref name="factor"/> times by repeating pixels (no smoothing, so single weights stay visible).</summary>
    public RgbImage Upscale(int factor)
    {
        if (factor < 1) throw new ArgumentOutOfRangeException(nameof(factor), $"RgbImage.Upscale: factor must be at least 1, got {factor}");
        if (factor == 1) return this;
        var result = new RgbImage(Width * factor, Height * factor);
        for (int y = 0; y < result.Height; y++)
            for (int x = 0; x < result.Width; x++)
                Array.Copy(Pixels, Index(x / factor, y / factor), result.Pixels, (y * result.Width + x) * 3, 3);
        return result;
    }

    /// <summary>The picture as PNG bytes (8-bit RGB).</summary>
    public byte[] ToPng() => Png.Encode(Pixels, Width, Height, 3);

    /// <summary>The picture as a <c>data:image/png;base64,…</c> URI, for HTML and SVG without separate files.</summary>
    public string ToDataUri() => "data:image/png;base64," + Convert.ToBase64String(ToPng());

    /// <summary>Writes the picture as a PNG file; atomically, so an error never leaves a half-written file.</summary>
    public void Save(string path)
    {
        byte[] png = ToPng();
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>The picture as a [3, H, W] tensor of values in [0, 1].</summary>
    public Tensor ToTensor()
    {
        var data = new float[Pixels.Length];
        int plane = Width * Height;
        for (int p = 0; p < plane; p++)
            for (int c = 0; c < 3; c++)
                data[c * plane + p] = Pixels[p * 3 + c] / 255f;
        return Tensor.FromArray(data, 3, Height, Width);
    }

    private int Index(int x, int y)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height)
            throw new ArgumentOutOfRangeException(nameof(x), $"RgbImage: pixel ({x}, {y}) is outside {Width}×{Height}");
        return (y * Width + x) * 3;
    }
}
