using System.Buffers.Binary;
using System.Text.Json;
using Dendrite.Data.Formats;

namespace Dendrite.Tests.Data;

public class PngTests
{
    private sealed record Expected(int Width, int Height, int Channels, int MaxValue, int[] Samples);

    private static readonly Dictionary<string, Expected> Fixtures =
        JsonSerializer.Deserialize<Dictionary<string, Expected>>(
            File.ReadAllText(Path.Combine(TestData.Fixtures, "png-expected.json")),
            new JsonSerializerOptions { PropertyNameCaseInsensitive = true })!;

    public static TheoryData<string> FixtureNames() => [.. Fixtures.Keys.Order()];

    private static string FixturePath(string name) => Path.Combine(TestData.Fixtures, "png", name);

    [Theory]
    [MemberData(nameof(FixtureNames))]
    public void DecodesIndependentlyEncodedFiles(string name)
    {
        var expected = Fixtures[name];
        var image = Png.Read(FixturePath(name));
        Assert.Equal(expected.Width, image.Width);
        Assert.Equal(expected.Height, image.Height);
        Assert.Equal(expected.Channels, image.Channels);
        Assert.Equal(expected.MaxValue, image.MaxValue);
        Assert.Equal(expected.Samples, Array.ConvertAll(image.Samples, v => (int)v));
    }

    [Fact]
    public void FixturesCoverEveryColourTypeDepthAndInterlacing()
    {
        var forms = new HashSet<(int Type, int Depth, int Interlace)>();
        foreach (var name in Fixtures.Keys)
        {
            var bytes = File.ReadAllBytes(FixturePath(name));
            forms.Add((bytes[25], bytes[24], bytes[28]));
        }
        foreach (var (type, depths) in new[] { (0, new[] { 1, 2, 4, 8, 16 }), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16]) })
            foreach (int d in depths)
                Assert.True(forms.Any(f => f.Type == type && f.Depth == d), $"no fixture of colour type {type} at {d} bits");
        Assert.True(forms.Count(f => f.Interlace == 1) >= 4);
    }

    [Fact]
    public void Crc32MatchesTheStandardCheckValue() =>
        Assert.Equal(0xCBF43926u, Png.Crc32("123456789"u8));

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void EncoderRoundTrips(int channels)
    {
        var g = new Generator(7);
        int w = 17, h = 9;
        var pixels = new byte[w * h * channels];
        for (int i = 0; i < pixels.Length; i++) pixels[i] = (byte)g.NextInt64(0, 256);
        var image = Png.Decode(Png.Encode(pixels, w, h, channels));
        Assert.Equal((w, h, channels, 255), (image.Width, image.Height, image.Channels, image.MaxValue));
        Assert.Equal(Array.ConvertAll(pixels, b => (ushort)b), image.Samples);
    }

    [Fact]
    public void TensorEncodingRoundTripsToTheNearestByte()
    {
        var t = Tensor.Rand(new Generator(3), 3, 5, 6);
        var back = Png.Decode(Png.Encode(t)).ToTensor();
        Assert.Equal(t.Shape, back.Shape);
        var a = t.ToArray();
        var b = back.ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(MathF.Round(a[i] * 255), b[i] * 255, 0.001f);
        // [H, W] is one grey channel; values outside [0, 1] are clamped.
        var grey = Png.Decode(Png.Encode(Tensor.FromArray([-1f, 0.5f, 2f, 1f], 2, 2)));
        Assert.Equal([(ushort)0, (ushort)128, (ushort)255, (ushort)255], grey.Samples);
        Assert.Throws<ArgumentException>(() => Png.Encode(Tensor.Zeros(5, 2, 2)));
        Assert.Throws<ArgumentException>(() => Png.Encode(new byte[5], 2, 2, 1));
    }

    [Fact]
    public void ToTensorConvertsBetweenGreyAndColour()
    {
        // One RGB pixel (255, 0, 0) and one (0, 0, 255) next to it.
        var rgb = Png.Decode(Png.Encode([255, 0, 0, 0, 0, 255], 2, 1, 3));
        Assert.Equal(new Shape([3, 1, 2]), rgb.ToTensor().Shape);
        Assert.Equal([1f, 0f, 0f, 0f, 0f, 1f], rgb.ToTensor().ToArray());
        Assert.Equal(new[] { 0.299f, 0.114f }, rgb.ToTensor(1).ToArray());
        var rgba = rgb.ToTensor(4).ToArray();
        Assert.Equal([1f, 1f], rgba[6..]);
        var grey = Png.Decode(Png.Encode([51, 204], 2, 1, 1));
        Assert.Equal([0.2f, 0.8f, 0.2f, 0.8f, 0.2f, 0.8f], grey.ToTensor(3).ToArray());
        // 16-bit: value / 65535.
        var g16 = Png.Read(FixturePath("gray16.png"));
        Assert.Equal(g16.Samples[0] / 65535f, g16.ToTensor()[0, 0, 0].Item());
    }

    private static string DecodeError(byte[] data)
    {
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(data, "broken.png"));
        Assert.StartsWith("PNG: broken.png: ", e.Message);
        return e.Message;
    }

    [Fact]
    public void EveryTruncationIsAClearError()
    {
        var bytes = File.ReadAllBytes(FixturePath("rgb8-interlaced-filters.png"));
        for (int n = 0; n < bytes.Length; n++) DecodeError(bytes[..n]);
        Assert.Contains("truncated", DecodeError(bytes[..40]));
    }

    [Fact]
    public void CorruptFilesAreClearErrors()
    {
        var good = Png.Encode([1, 2, 3, 4, 5, 6], 3, 2, 1);
        Assert.Contains("not a PNG file", DecodeError([.. "GIF89a.."u8]));

        var crc = (byte[])good.Clone();
        crc[20] ^= 1; // inside IHDR
        Assert.Contains("CRC mismatch in chunk IHDR", DecodeError(crc));

        Assert.Contains("bit depth 4 is not allowed for colour type 2", DecodeError(WithIhdr(good, depth: 4, type: 2)));
        Assert.Contains("invalid colour type 5", DecodeError(WithIhdr(good, type: 5)));
        Assert.Contains("unknown interlace method 2", DecodeError(WithIhdr(good, interlace: 2)));
        Assert.Contains("image data too short for 100000×100000", DecodeError(WithIhdr(good, width: 100000, height: 100000)));
        Assert.Contains("truncated image data", DecodeError(WithIhdr(good, height: 3)));
        Assert.Contains("palette image without a PLTE chunk", DecodeError(WithIhdr(good, type: 3)));

        // An unknown critical chunk before IEND.
        int iend = good.Length - 12;
        var withChunk = good[..iend].Concat(Chunk("ABCD", [1, 2])).Concat(good[iend..]).ToArray();
        Assert.Contains("unsupported critical chunk ABCD", DecodeError(withChunk));
        // An unknown ancillary chunk is skipped.
        var withAncillary = good[..iend].Concat(Chunk("abCD", [1, 2])).Concat(good[iend..]).ToArray();
        Assert.Equal(Png.Decode(good).Samples, Png.Decode(withAncillary).Samples);

        Assert.Contains("no IEND chunk", DecodeError(good[..iend]));
        // Garbage deflate data with a valid CRC.
        var idat = Chunk("IDAT", [0x78, 0x9c, 0xff, 0xff, 0xff, 0xff, 0x00]);
        var garbage = good[..33].Concat(idat).Concat(Chunk("IEND", [])).ToArray();
        DecodeError(garbage);
    }

    [Fact]
    public void ReadNamesTheFile()
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("x.png"), [1, 2, 3]);
        var e = Assert.Throws<InvalidDataException>(() => Png.Read(dir.File("x.png")));
        Assert.StartsWith($"PNG: {dir.File("x.png")}: ", e.Message);
        Assert.Throws<FileNotFoundException>(() => Png.Read(dir.File("missing.png")));
    }

    private static byte[] Chunk(string type, byte[] body)
    {
        var typeAndBody = System.Text.Encoding.ASCII.GetBytes(type).Concat(body).ToArray();
        var result = new byte[12 + body.Length];
        BinaryPrimitives.WriteInt32BigEndian(result, body.Length);
        typeAndBody.CopyTo(result, 4);
        BinaryPrimitives.WriteUInt32BigEndian(result.AsSpan(8 + body.Length), Png.Crc32(typeAndBody));
        return result;
    }

    // A copy of an encoded PNG whose IHDR fields are replaced (with a correct CRC).
    private static byte[] WithIhdr(byte[] png, int? width = null, int? height = null, int? depth = null, int? type = null, int? interlace = null)
    {
        var body = png[16..29];
        if (width is int w) BinaryPrimitives.WriteInt32BigEndian(body, w);
        if (height is int h) BinaryPrimitives.WriteInt32BigEndian(body.AsSpan(4), h);
        if (depth is int d) body[8] = (byte)d;
        if (type is int t) body[9] = (byte)t;
        if (interlace is int i) body[12] = (byte)i;
        return png[..8].Concat(Chunk("IHDR", body)).Concat(png[33..]).ToArray();
    }
}
