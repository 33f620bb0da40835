using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Dendrite.Data.Formats;

// The decoder: chunks are read and checked, IDAT inflated, each row unfiltered and its samples expanded
// (palette, colour key, sub-byte depths) into a PngImage.
public static partial class Png
{
    /// <summary>Reads and decodes the PNG file at <paramref name="path"/>.</summary>
    public static PngImage Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"PNG: {path}: file not found", path);
        Runtime.MemoryBudget.Current.Require($"PNG: {path}", "the file", new FileInfo(path).Length);
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

        int channelsOut = colourType switch
        {
            3 => transparency is null ? 3 : 4,
            0 or 2 => samplesPerPixel + (transparency is null ? 0 : 1),
            _ => samplesPerPixel,
        };
        // The header's size is checked against the memory budget before the image data is inflated: a
        // 20,000 × 20,000 image compresses to a few hundred kilobytes and would decode to gigabytes.
        var budget = Runtime.MemoryBudget.Current;
        long pixels = (long)width * height;
        if (pixels > budget.ImagePixels)
            budget.Require($"PNG: {name}", $"IHDR size {width}×{height} ({pixels} pixels, over the {budget.ImagePixels}-pixel limit)",
                Runtime.MemoryBudget.Times(pixels, 8));
        budget.Require($"PNG: {name}", $"IHDR size {width}×{height} ({rawSize} bytes inflated, {pixels * channelsOut} samples)",
            rawSize + Runtime.MemoryBudget.Times(pixels * channelsOut, sizeof(ushort)));

        var raw = new byte[rawSize];
        idat.Position = 0;
        int got = 0;
        bool longer;
        try
        {
            using var z = new ZLibStream(idat, CompressionMode.Decompress);
            int n;
            while (got < raw.Length && (n = z.Read(raw, got, raw.Length - got)) > 0) got += n;
            // The image data must inflate to exactly the size the header implies; more is a malformed (or
            // hostile) stream, refused without inflating the rest.
            longer = got == raw.Length && z.ReadByte() >= 0;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            // Some corrupt deflate streams surface as zlib's own error (an IOException), not InvalidDataException;
            // the source is memory, so an IOException here can only be the data's fault.
            throw Error($"corrupt image data: {e.Message}");
        }
        if (got < raw.Length)
            throw Error($"truncated image data: {got} of {raw.Length} bytes after decompression");
        if (longer)
            throw Error($"image data inflates past the {raw.Length} bytes that a {width}×{height} image of colour type {colourType} at depth {bitDepth} holds");

        int outChannels = channelsOut;
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
