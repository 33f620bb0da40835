using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
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

/// <summary>
/// A PNG decoder and encoder in managed code (PNG specification, W3C 2003). Decoding supports every
/// standard form: colour types 0 (grey), 2 (RGB), 3 (palette), 4 (grey+alpha) and 6 (RGBA) at each bit
/// depth the specification allows (1, 2, 4, 8, 16), the five filters, Adam7 interlacing, PLTE and tRNS.
/// Every chunk's CRC-32 is checked; corrupt or truncated files raise <see cref="InvalidDataException"/>
/// naming the file and the problem. Ancillary chunks other than tRNS (gamma, colour profiles, text) are
/// skipped, so samples are returned as stored.
/// </summary>
public static class Png
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    public static PngImage Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG: {path}: file not found", path);
        return Decode(File.ReadAllBytes(path), path);
    }

    /// <summary>Decodes a PNG held in memory; <paramref name="name"/> names it in errors.</summary>
    public static PngImage Decode(ReadOnlySpan<byte> data, string name = "(memory)")
    {
        InvalidDataException Error(string what) => new($"PNG: {name}: {what}");
        if (data.Length < 8 || !data[..8].SequenceEqual(Signature))
            throw Error(data.Length < 8 ? "truncated: shorter than the 8-byte PNG signature" : "not a PNG file (bad signature)");

        int width = 0, height = 0, bitDepth = 0, colourType = -1, interlace = 0;
        byte[]? palette = null, transparency = null;
        var idat = new MemoryStream();
        bool sawEnd = false;
        int pos = 8;
        while (pos < data.Length && !sawEnd)
        {
            if (data.Length - pos < 12)
                throw Error($"truncated: chunk header at byte {pos} is cut short");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[pos..]);
            var typeBytes = data.Slice(pos + 4, 4);
            string type = Encoding.ASCII.GetString(typeBytes);
            if (length > int.MaxValue || length > data.Length - pos - 12)
                throw Error($"truncated: chunk {type} at byte {pos} declares {length} bytes, the file has {Math.Max(0, data.Length - pos - 12)} left");
            var body = data.Slice(pos + 8, (int)length);
            uint stored = BinaryPrimitives.ReadUInt32BigEndian(data[(pos + 8 + (int)length)..]);
            uint actual = Crc32(data.Slice(pos + 4, 4 + (int)length));
            if (stored != actual)
                throw Error($"CRC mismatch in chunk {type} at byte {pos}: stored {stored:x8}, computed {actual:x8}");
            pos += 12 + (int)length;

            if (colourType < 0 && type != "IHDR")
                throw Error($"first chunk is {type}, expected IHDR");
            switch (type)
            {
                case "IHDR":
                    if (colourType >= 0) throw Error("more than one IHDR chunk");
                    if (length != 13) throw Error($"IHDR has {length} bytes, expected 13");
                    uint w = BinaryPrimitives.ReadUInt32BigEndian(body), h = BinaryPrimitives.ReadUInt32BigEndian(body[4..]);
                    if (w == 0 || h == 0 || w > int.MaxValue || h > int.MaxValue)
                        throw Error($"invalid size {w}×{h}");
                    (width, height, bitDepth, colourType, interlace) = ((int)w, (int)h, body[8], body[9], body[12]);
                    bool depthOk = colourType switch
                    {
                        0 => bitDepth is 1 or 2 or 4 or 8 or 16,
                        3 => bitDepth is 1 or 2 or 4 or 8,
                        2 or 4 or 6 => bitDepth is 8 or 16,
                        _ => throw Error($"invalid colour type {colourType}"),
                    };
                    if (!depthOk) throw Error($"bit depth {bitDepth} is not allowed for colour type {colourType}");
                    if (body[10] != 0) throw Error($"unknown compression method {body[10]}");
                    if (body[11] != 0) throw Error($"unknown filter method {body[11]}");
                    if (interlace > 1) throw Error($"unknown interlace method {interlace}");
                    break;
                case "PLTE":
                    if (length % 3 != 0 || length == 0 || length > 768)
                        throw Error($"PLTE has {length} bytes, expected 3 to 768 in multiples of 3");
                    palette = body.ToArray();
                    break;
                case "tRNS":
                    transparency = body.ToArray();
                    break;
                case "IDAT":
                    idat.Write(body);
                    break;
                case "IEND":
                    sawEnd = true;
                    break;
                default:
                    // Bit 5 of the first byte clear (an upper-case letter) marks a chunk needed to show the image.
                    if ((typeBytes[0] & 0x20) == 0)
                        throw Error($"unsupported critical chunk {type}");
                    break;
            }
        }
        if (colourType < 0) throw Error("truncated: no IHDR chunk");
        if (!sawEnd) throw Error("truncated: no IEND chunk");
        if (idat.Length == 0) throw Error("no IDAT chunk");
        if (colourType == 3 && palette is null) throw Error("palette image without a PLTE chunk");

        int samplesPerPixel = colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };
        int bitsPerPixel = samplesPerPixel * bitDepth;
        int bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
        long rawSize = 0;
        foreach (var (pw, ph) in Passes(width, height, interlace))
            if (pw > 0 && ph > 0) // an empty Adam7 pass has no bytes at all, not even filter bytes
                rawSize += ph * (1 + ((long)pw * bitsPerPixel + 7) / 8);
        // Deflate expands at most ~1032:1, so a header promising more than that is caught before allocating.
        if (rawSize > Array.MaxLength || rawSize > idat.Length * 1040 + 1024)
            throw Error($"image data too short for {width}×{height}: {idat.Length} compressed bytes cannot hold {rawSize} bytes");

        var raw = new byte[rawSize];
        idat.Position = 0;
        int got = 0;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int n;
            while (got < raw.Length && (n = z.Read(raw, got, raw.Length - got)) > 0) got += n;
        }
        catch (InvalidDataException e)
        {
            throw Error($"corrupt image data: {e.Message}");
        }
        if (got < raw.Length)
            throw Error($"truncated image data: {got} of {raw.Length} bytes after decompression");

        int outChannels = colourType switch
        {
            3 => transparency is null ? 3 : 4,
            0 or 2 => samplesPerPixel + (transparency is null ? 0 : 1),
            _ => samplesPerPixel,
        };
        int maxValue = colourType == 3 ? 255 : (1 << bitDepth) - 1;
        var samples = new ushort[(long)width * height * outChannels];
        var key = ColourKey(colourType, transparency, bitDepth, Error);
        if (colourType == 3 && transparency is not null && transparency.Length > palette!.Length / 3)
            throw Error($"tRNS has {transparency.Length} entries, more than the palette's {palette.Length / 3}");

        int offset = 0, passIndex = 0;
        Span<ushort> pixel = stackalloc ushort[4];
        foreach (var (pw, ph) in Passes(width, height, interlace))
        {
            var (x0, y0, dx, dy) = interlace == 0 ? (0, 0, 1, 1) : Adam7[passIndex];
            passIndex++;
            if (pw == 0 || ph == 0) continue;
            int stride = (int)(((long)pw * bitsPerPixel + 7) / 8);
            var previous = new byte[stride];
            for (int row = 0; row < ph; row++)
            {
                var line = raw.AsSpan(offset + 1, stride);
                Unfilter(raw[offset], line, previous, bytesPerPixel, row, Error);
                offset += 1 + stride;
                int y = y0 + row * dy;
                for (int col = 0; col < pw; col++)
                {
                    for (int s = 0; s < samplesPerPixel; s++)
                        pixel[s] = ReadSample(line, col * samplesPerPixel + s, bitDepth);
                    long o = ((long)y * width + x0 + col * dx) * outChannels;
                    if (colourType == 3)
                    {
                        int index = pixel[0];
                        if (index * 3 >= palette!.Length)
                            throw Error($"pixel ({x0 + col * dx}, {y}) uses palette index {index}, the palette has {palette.Length / 3} entries");
                        samples[o] = palette[3 * index];
                        samples[o + 1] = palette[3 * index + 1];
                        samples[o + 2] = palette[3 * index + 2];
                        if (transparency is not null)
                            samples[o + 3] = index < transparency.Length ? transparency[index] : (ushort)255;
                    }
                    else
                    {
                        for (int s = 0; s < samplesPerPixel; s++) samples[o + s] = pixel[s];
                        if (key is not null)
                        {
                            bool match = true;
                            for (int s = 0; s < samplesPerPixel; s++) match &= pixel[s] == key[s];
                            samples[o + samplesPerPixel] = match ? (ushort)0 : (ushort)maxValue;
                        }
                    }
                }
                line.CopyTo(previous);
            }
        }
        return new PngImage(width, height, outChannels, maxValue, samples);
    }

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

    /// <summary>The CRC-32 of PNG chunks (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        var typeAndBody = new byte[4 + body.Length];
        Encoding.ASCII.GetBytes(type, typeAndBody);
        body.CopyTo(typeAndBody.AsSpan(4));
        output.Write(typeAndBody);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndBody));
        output.Write(word);
    }

    // Adam7 passes as (x start, y start, x step, y step).
    private static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 =
        [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];

    /// <summary>The (width, height) of each reduced image: one pass without interlacing, seven with Adam7.</summary>
    private static IEnumerable<(int Width, int Height)> Passes(int width, int height, int interlace)
    {
        if (interlace == 0)
        {
            yield return (width, height);
            yield break;
        }
        foreach (var (x0, y0, dx, dy) in Adam7)
            yield return ((width - x0 + dx - 1) / dx, (height - y0 + dy - 1) / dy);
    }

    private static void Unfilter(byte filter, Span<byte> line, ReadOnlySpan<byte> previous, int bpp, int row, Func<string, InvalidDataException> error)
    {
        switch (filter)
        {
            case 0: break;
            case 1: for (int i = bpp; i < line.Length; i++) line[i] += line[i - bpp]; break;
            case 2: for (int i = 0; i < line.Length; i++) line[i] += previous[i]; break;
            case 3:
                for (int i = 0; i < line.Length; i++)
                    line[i] += (byte)(((i >= bpp ? line[i - bpp] : 0) + previous[i]) >> 1);
                break;
            case 4:
                for (int i = 0; i < line.Length; i++)
                    line[i] += Paeth(i >= bpp ? line[i - bpp] : (byte)0, previous[i], i >= bpp ? previous[i - bpp] : (byte)0);
                break;
            default: throw error($"unknown filter type {filter} on row {row}");
        }
    }

    private static byte Paeth(byte a, byte b, byte c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static ushort ReadSample(ReadOnlySpan<byte> line, int index, int bitDepth)
    {
        switch (bitDepth)
        {
            case 8: return line[index];
            case 16: return BinaryPrimitives.ReadUInt16BigEndian(line[(2 * index)..]);
            default:
                int perByte = 8 / bitDepth;
                int shift = 8 - bitDepth * (index % perByte + 1); // the leftmost sample sits in the high bits
                return (ushort)((line[index / perByte] >> shift) & ((1 << bitDepth) - 1));
        }
    }

    private static ushort[]? ColourKey(int colourType, byte[]? transparency, int bitDepth, Func<string, InvalidDataException> error)
    {
        if (transparency is null || colourType == 3) return null;
        if (colourType is 4 or 6) throw error($"tRNS chunk is not allowed for colour type {colourType} (it has an alpha channel)");
        int samples = colourType == 0 ? 1 : 3;
        if (transparency.Length != 2 * samples)
            throw error($"tRNS has {transparency.Length} bytes, expected {2 * samples} for colour type {colourType}");
        var key = new ushort[samples];
        int mask = (1 << bitDepth) - 1;
        for (int s = 0; s < samples; s++) key[s] = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(transparency.AsSpan(2 * s)) & mask);
        return key;
    }
}
