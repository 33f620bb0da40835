using System.Buffers.Binary;
using System.IO.Compression;
using Dendrite.Tensors;

namespace Dendrite.Data.Formats;

// The encoder: 8-bit grey, grey+alpha, RGB or RGBA, one IDAT, the Sub filter on every row.
public static partial class Png
{
    /// <summary>
    /// Encodes 8-bit interleaved <paramref name="pixels"/> (height × width × channels bytes, row-major) as a
    /// PNG: channels 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; Sub filter on every row, zlib at the default level.
    /// </summary>
    public static byte[] Encode(ReadOnlySpan<byte> pixels, int width, int height, int channels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"Png.Encode: size must be positive, got {width}×{height}");
        if (channels is < 1 or > 4)
            throw new ArgumentOutOfRangeException(nameof(channels), $"Png.Encode: channels must be 1 to 4, got {channels}");
        if ((long)width * height * channels != pixels.Length)
            throw new ArgumentException($"Png.Encode: {width}×{height}×{channels} needs {(long)width * height * channels} bytes, got {pixels.Length}", nameof(pixels));

        var output = new MemoryStream();
        output.Write(Signature);
        Span<byte> header = stackalloc byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header[4..], height);
        header[8] = 8;
        header[9] = channels switch { 1 => 0, 2 => 4, 3 => 2, _ => 6 };
        header[10] = header[11] = header[12] = 0;
        WriteChunk(output, "IHDR", header);

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            int stride = width * channels;
            var line = new byte[stride + 1];
            line[0] = 1; // Sub: smooth images (filters, activations) compress better as left differences
            for (int y = 0; y < height; y++)
            {
                var src = pixels.Slice(y * stride, stride);
                for (int i = 0; i < stride; i++)
                    line[i + 1] = (byte)(src[i] - (i >= channels ? src[i - channels] : 0));
                z.Write(line);
            }
        }
        WriteChunk(output, "IDAT", compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        WriteChunk(output, "IEND", []);
        return output.ToArray();
    }

    /// <summary>
    /// Encodes a [C, H, W] (or [H, W]) tensor of values in [0, 1] as an 8-bit PNG (C = 1, 2, 3 or 4);
    /// values are clamped to [0, 1] and scaled by 255 with rounding.
    /// </summary>
    public static byte[] Encode(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Rank == 2) image = image.Unsqueeze(0);
        if (image.Rank != 3 || image.Shape[0] is < 1 or > 4)
            throw new ArgumentException($"Png.Encode: expected an image [C,H,W] with C in 1..4 or [H,W], got shape {image.Shape}", nameof(image));
        int c = image.Shape[0], h = image.Shape[1], w = image.Shape[2];
        var values = image.ToArray();
        var bytes = new byte[values.Length];
        for (int ch = 0; ch < c; ch++)
            for (int p = 0; p < h * w; p++)
                bytes[p * c + ch] = (byte)MathF.Round(Math.Clamp(values[ch * h * w + p], 0f, 1f) * 255f);
        return Encode(bytes, w, h, c);
    }
}
