using Dendrite.Tensors;

namespace Dendrite.Data.Transforms;

/// <summary>
/// Resizes an image [C, H, W] (or [H, W]) to <see cref="Height"/> × <see cref="Width"/> with bilinear
/// interpolation, sampling at half-pixel centres: source = (dst + 0.5) · in/out − 0.5, clamped to the image
/// (PyTorch's <c>interpolate(mode="bilinear", align_corners=False)</c>, no anti-aliasing).
/// </summary>
public sealed class Resize : ITransform
{
    /// <summary>A resize to <paramref name="height"/> × <paramref name="width"/> (both positive).</summary>
    public Resize(int height, int width)
    {
        if (height <= 0 || width <= 0)
            throw new ArgumentOutOfRangeException(nameof(height), $"Resize: size must be positive, got {height}×{width}");
        Height = height;
        Width = width;
    }

    /// <summary>Output height.</summary>
    public int Height { get; }

    /// <summary>Output width.</summary>
    public int Width { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor input)
    {
        var (src, c, h, w, rank2) = ImageOps.Planes(input, "Resize");
        var result = Tensor.Zeros(c, Height, Width);
        var dst = result.Data;
        float sy = (float)h / Height, sx = (float)w / Width;
        for (int ch = 0; ch < c; ch++)
            for (int y = 0; y < Height; y++)
            {
                float fy = Math.Clamp((y + 0.5f) * sy - 0.5f, 0, h - 1);
                for (int x = 0; x < Width; x++)
                {
                    float fx = Math.Clamp((x + 0.5f) * sx - 0.5f, 0, w - 1);
                    dst[(ch * Height + y) * Width + x] = ImageOps.Bilinear(src, ch * h * w, h, w, fy, fx);
                }
            }
        return rank2 ? result.Squeeze(0) : result;
    }
}

/// <summary>
/// Random translation for augmentation: shifts the image by whole pixels dx, dy drawn uniformly from
/// [−<see cref="MaxPixels"/>, <see cref="MaxPixels"/>] (a fresh pair per call, from the seeded generator);
/// uncovered pixels are 0. A positive dx moves content right, a positive dy down.
/// (torchvision's RandomAffine(translate=...) draws in the same way from a fraction of the size.)
/// </summary>
public sealed class RandomShift : ITransform
{
    private readonly Generator generator;

    /// <summary>Shifts of up to <paramref name="maxPixels"/> (≥ 0) in each direction, drawn from <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public RandomShift(int maxPixels, Generator? generator = null)
    {
        if (maxPixels < 0)
            throw new ArgumentOutOfRangeException(nameof(maxPixels), $"RandomShift: maxPixels must be ≥ 0, got {maxPixels}");
        MaxPixels = maxPixels;
        this.generator = generator ?? Generator.Default;
    }

    /// <summary>The largest shift in each direction.</summary>
    public int MaxPixels { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor input)
    {
        int dx = (int)generator.NextInt64(-MaxPixels, MaxPixels + 1);
        int dy = (int)generator.NextInt64(-MaxPixels, MaxPixels + 1);
        return Shift(input, dx, dy);
    }

    /// <summary>The image moved <paramref name="dx"/> pixels right and <paramref name="dy"/> down, zero-filled.</summary>
    public static Tensor Shift(Tensor image, int dx, int dy)
    {
        var (src, c, h, w, rank2) = ImageOps.Planes(image, "RandomShift");
        var result = Tensor.Zeros(c, h, w);
        var dst = result.Data;
        for (int ch = 0; ch < c; ch++)
            for (int y = Math.Max(0, dy); y < Math.Min(h, h + dy); y++)
                Array.Copy(src, (ch * h + y - dy) * w + Math.Max(0, -dx), dst, (ch * h + y) * w + Math.Max(0, dx), Math.Max(0, w - Math.Abs(dx)));
        return rank2 ? result.Squeeze(0) : result;
    }
}

/// <summary>
/// Random rotation for augmentation, like <c>torchvision.transforms.RandomRotation(degrees)</c> with
/// bilinear interpolation: an angle drawn uniformly from [−<see cref="MaxDegrees"/>, <see cref="MaxDegrees"/>]
/// per call rotates the image about its centre ((W − 1)/2, (H − 1)/2); positive angles turn it
/// counter-clockwise as displayed; pixels from outside the image are 0.
/// </summary>
public sealed class RandomRotation : ITransform
{
    private readonly Generator generator;

    /// <summary>Rotations of up to <paramref name="maxDegrees"/> (≥ 0) either way, drawn from <paramref name="generator"/> (default <see cref="Generator.Default"/>).</summary>
    public RandomRotation(double maxDegrees, Generator? generator = null)
    {
        if (!(maxDegrees >= 0) || double.IsInfinity(maxDegrees))
            throw new ArgumentOutOfRangeException(nameof(maxDegrees), $"RandomRotation: maxDegrees must be finite and ≥ 0, got {maxDegrees}");
        MaxDegrees = maxDegrees;
        this.generator = generator ?? Generator.Default;
    }

    /// <summary>The largest rotation either way, in degrees.</summary>
    public double MaxDegrees { get; }

    /// <inheritdoc />
    public Tensor Apply(Tensor input) => Rotate(input, (generator.NextDouble() * 2 - 1) * MaxDegrees);

    /// <summary>The image rotated <paramref name="degrees"/> counter-clockwise about its centre, bilinear, zero-filled.</summary>
    public static Tensor Rotate(Tensor image, double degrees)
    {
        var (src, c, h, w, rank2) = ImageOps.Planes(image, "RandomRotation");
        var result = Tensor.Zeros(c, h, w);
        var dst = result.Data;
        double angle = degrees * Math.PI / 180, cos = Math.Cos(angle), sin = Math.Sin(angle);
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                // Inverse mapping: each output pixel reads the source point that the rotation carries onto it.
                double u = x - cx, v = y - cy;
                float fx = (float)(cx + u * cos - v * sin), fy = (float)(cy + u * sin + v * cos);
                for (int ch = 0; ch < c; ch++)
                    dst[(ch * h + y) * w + x] = ImageOps.Bilinear(src, ch * h * w, h, w, fy, fx);
            }
        return rank2 ? result.Squeeze(0) : result;
    }
}

/// <summary>Shared pieces of the image transforms.</summary>
internal static class ImageOps
{
    /// <summary>The image's contiguous data as C planes of H × W (an [H, W] input is one plane).</summary>
    public static (float[] Data, int C, int H, int W, bool Rank2) Planes(Tensor image, string op)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank is not (2 or 3))
            throw new ArgumentException($"{op}: expected an image [C,H,W] or [H,W], got shape {image.Shape}");
        bool rank2 = image.Rank == 2;
        var t = image.ContiguousNoGrad();
        // The planes must start at index 0 of the array the loops index.
        var data = t.Offset == 0 && t.Data.Length == t.Numel ? t.Data : t.ToArray();
        return rank2 ? (data, 1, image.Shape[0], image.Shape[1], true) : (data, image.Shape[0], image.Shape[1], image.Shape[2], false);
    }

    /// <summary>Bilinear sample of the plane at <paramref name="offset"/> at (fy, fx); neighbours outside the image count as 0.</summary>
    public static float Bilinear(float[] src, int offset, int h, int w, float fy, float fx)
    {
        int x0 = (int)MathF.Floor(fx), y0 = (int)MathF.Floor(fy);
        float ax = fx - x0, ay = fy - y0;
        float Pixel(int y, int x) => (uint)y < (uint)h && (uint)x < (uint)w ? src[offset + y * w + x] : 0f;
        float top = Pixel(y0, x0) * (1 - ax) + (ax == 0 ? 0 : Pixel(y0, x0 + 1) * ax);
        if (ay == 0) return top;
        float bottom = Pixel(y0 + 1, x0) * (1 - ax) + (ax == 0 ? 0 : Pixel(y0 + 1, x0 + 1) * ax);
        return top * (1 - ay) + bottom * ay;
    }
}
