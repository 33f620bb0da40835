using System.Buffers.Binary;
using System.IO.Compression;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;

namespace Dendrite.Tests.Data;

public class MnistTests
{
    private static readonly int[] TrainCounts = [808, 885, 800, 794, 780, 684, 815, 875, 775, 784];
    private static readonly int[] TestCounts = [193, 242, 191, 238, 200, 179, 199, 195, 169, 194];

    private static byte[] Raw(string name)
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(TestData.MnistSample, name + ".gz")), CompressionMode.Decompress);
        using var ms = new MemoryStream();
        gz.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>A temp MNIST directory holding plain copies of the sample's training files, optionally altered.</summary>
    private static TempDir PlainTrain(Func<byte[], byte[]>? images = null, Func<byte[], byte[]>? labels = null)
    {
        var dir = new TempDir();
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), (images ?? (b => b))(Raw("train-images-idx3-ubyte")));
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), (labels ?? (b => b))(Raw("train-labels-idx1-ubyte")));
        return dir;
    }

    private static byte[] WithInt(byte[] b, int offset, uint value)
    {
        var copy = (byte[])b.Clone();
        BinaryPrimitives.WriteUInt32BigEndian(copy.AsSpan(offset), value);
        return copy;
    }

    private static int[] Counts(TensorDataset ds)
    {
        var counts = new int[10];
        foreach (float t in ds.Targets.ToArray()) counts[(int)t]++;
        return counts;
    }

    [Fact]
    public void LoadsTheTrainingSample()
    {
        var ds = Mnist.Load(TestData.MnistSample);
        Assert.Equal(8000, ds.Count);
        Assert.Equal(new Shape([8000, 1, 28, 28]), ds.Inputs.Shape);
        Assert.Equal(new Shape([8000]), ds.Targets.Shape);
        Assert.Equal(TrainCounts, Counts(ds));
        Assert.Equal(0f, ds.Inputs.Min().Item());
        Assert.Equal(1f, ds.Inputs.Max().Item());
        var (x, t) = ds[0];
        Assert.Equal(new Shape([1, 28, 28]), x.Shape);
        Assert.Equal(0, t.Rank);
        // Every pixel is a byte over 255.
        foreach (float v in ds.Inputs.Narrow(0, 0, 50).ToArray())
            Assert.Equal(v, MathF.Round(v * 255) / 255f);
    }

    [Fact]
    public void LoadsTheTestSample()
    {
        var ds = Mnist.Load(TestData.MnistSample, train: false);
        Assert.Equal(2000, ds.Count);
        Assert.Equal(TestCounts, Counts(ds));
        Assert.Equal(new Shape([2000, 1, 28, 28]), ds.Inputs.Shape);
    }

    [Fact]
    public void PlainFilesLoadLikeGzipFiles()
    {
        using var dir = PlainTrain();
        var plain = Mnist.Load(dir.Path);
        var gz = Mnist.Load(TestData.MnistSample);
        Assert.Equal(gz.Inputs.ToArray(), plain.Inputs.ToArray());
        Assert.Equal(gz.Targets.ToArray(), plain.Targets.ToArray());
        // The first image's pixels are the file's bytes 16.. over 255.
        var raw = Raw("train-images-idx3-ubyte");
        var first = plain[0].Input.ToArray();
        for (int i = 0; i < 784; i++) Assert.Equal(raw[16 + i] / 255f, first[i]);
    }

    [Fact]
    public void FashionMnistReadsTheSameFormat()
    {
        var ds = FashionMnist.Load(TestData.MnistSample, train: false);
        Assert.Equal(2000, ds.Count);
        Assert.Equal(10, FashionMnist.Classes.Count);
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(dir.Path));
        Assert.StartsWith("Fashion-MNIST: ", e.Message);
    }

    [Fact]
    public void MissingFilesListTheExpectedNames()
    {
        using var dir = new TempDir();
        var e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path));
        Assert.Contains("train-images-idx3-ubyte[.gz]", e.Message);
        Assert.Contains("train-labels-idx1-ubyte[.gz]", e.Message);
        Assert.Contains(dir.Path, e.Message);
        File.WriteAllBytes(dir.File("t10k-images-idx3-ubyte.gz"), File.ReadAllBytes(Path.Combine(TestData.MnistSample, "t10k-images-idx3-ubyte.gz")));
        e = Assert.Throws<FileNotFoundException>(() => Mnist.Load(dir.Path, train: false));
        Assert.Contains("t10k-labels-idx1-ubyte[.gz] is missing", e.Message);
    }

    private static string Fails(TempDir dir)
    {
        var e = Assert.Throws<InvalidDataException>(() => Mnist.Load(dir.Path));
        Assert.StartsWith("MNIST: ", e.Message);
        return e.Message;
    }

    [Fact]
    public void WrongMagicNamesTheFile()
    {
        using var dir = PlainTrain(images: b => WithInt(b, 0, 0x12340803));
        string m = Fails(dir);
        Assert.Contains(dir.File("train-images-idx3-ubyte"), m);
        Assert.Contains("magic number 12340803", m);
    }

    [Fact]
    public void TruncatedLabelsSayHowManyAreThere()
    {
        using var dir = PlainTrain(labels: b => b[..^1]);
        Assert.Equal($"MNIST: {dir.File("train-labels-idx1-ubyte")}: truncated: header says 8000 labels, file holds 7999", Fails(dir));
    }

    [Fact]
    public void TruncatedImagesCountWholeImages()
    {
        using var dir = PlainTrain(images: b => b[..(16 + 784 * 100 + 10)]);
        Assert.Equal($"MNIST: {dir.File("train-images-idx3-ubyte")}: truncated: header says 8000 images, file holds 100 and 10 of the 784 bytes of the next", Fails(dir));
    }

    [Fact]
    public void TruncatedGzipFileIsAClearError()
    {
        using var dir = new TempDir();
        var gz = File.ReadAllBytes(Path.Combine(TestData.MnistSample, "train-images-idx3-ubyte.gz"));
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz"), gz[..(gz.Length / 2)]);
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte"), Raw("train-labels-idx1-ubyte"));
        string m = Fails(dir);
        Assert.Contains(dir.File("train-images-idx3-ubyte.gz"), m);
    }

    [Fact]
    public void CorruptGzipDataIsAClearError()
    {
        using var dir = new TempDir();
        var gz = File.ReadAllBytes(Path.Combine(TestData.MnistSample, "train-labels-idx1-ubyte.gz"));
        for (int i = 20; i < gz.Length - 8; i += 7) gz[i] ^= 0x5a;
        File.WriteAllBytes(dir.File("train-labels-idx1-ubyte.gz"), gz);
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte"), Raw("train-images-idx3-ubyte"));
        string m = Fails(dir);
        Assert.Contains(dir.File("train-labels-idx1-ubyte.gz"), m);
    }

    [Fact]
    public void ExtraBytesAreAnError()
    {
        using var dir = PlainTrain(labels: b => [.. b, 3]);
        Assert.Contains("longer than the header says", Fails(dir));
    }

    [Fact]
    public void LabelCountMustMatchImageCount()
    {
        using var dir = PlainTrain(labels: b => WithInt(b, 4, 7999)[..^1]);
        string m = Fails(dir);
        Assert.Contains("holds 7999 labels but", m);
        Assert.Contains("holds 8000 images", m);
    }

    [Theory]
    [InlineData(0x80000000u, "larger than the supported maximum")]
    [InlineData(0x40000000u, "more than one array can hold")]
    [InlineData(1_000_000u, "truncated: header says 1000000 images, file holds 8000")]
    public void HugeHeadersFailBeforeAllocating(uint count, string expected)
    {
        using var dir = PlainTrain(images: b => WithInt(b, 4, count));
        Assert.Contains(expected, Fails(dir));
    }

    [Fact]
    public void WrongTypesAndDimensionsAreErrors()
    {
        using (var dir = PlainTrain(images: b => WithInt(b, 0, 0x00000D03)))
            Assert.Contains("images must be unsigned bytes (IDX type 0x08), got Float", Fails(dir));
        using (var dir = PlainTrain(images: b => WithInt(b, 0, 0x00000F03)))
            Assert.Contains("unknown IDX element type 0x0F", Fails(dir));
        using (var dir = PlainTrain(labels: b => WithInt(b, 0, 0x00000803)))
            Assert.Contains("labels must have 1 dimension [N], got [8000,", Fails(dir));
        using (var dir = PlainTrain(images: Idx2d))
            Assert.Contains("images must have 3 dimensions", Fails(dir));
    }

    // The images as one [8000, 784] IDX array: right bytes, wrong dimension count.
    private static byte[] Idx2d(byte[] images)
    {
        using var ms = new MemoryStream();
        Idx.Write(ms, IdxType.UnsignedByte, [8000, 784], images.AsSpan(16));
        return ms.ToArray();
    }

    [Fact]
    public void LabelsOutsideZeroToNineAreErrors()
    {
        using var dir = PlainTrain(labels: b => { var c = (byte[])b.Clone(); c[8 + 5] = 12; return c; });
        Assert.Equal($"MNIST: {dir.File("train-labels-idx1-ubyte")}: label 12 at index 5 is outside 0–9", Fails(dir));
    }

    [Theory]
    [InlineData(IdxType.SignedByte)]
    [InlineData(IdxType.Short)]
    [InlineData(IdxType.Int)]
    [InlineData(IdxType.Float)]
    [InlineData(IdxType.Double)]
    public void IdxRoundTripsEveryType(IdxType type)
    {
        double[] values = [-3, 0, 1, 7, -128, 100];
        int size = Idx.ElementSize(type);
        var payload = new byte[values.Length * size];
        for (int i = 0; i < values.Length; i++)
        {
            var span = payload.AsSpan(i * size);
            switch (type)
            {
                case IdxType.SignedByte: span[0] = (byte)(sbyte)values[i]; break;
                case IdxType.Short: BinaryPrimitives.WriteInt16BigEndian(span, (short)values[i]); break;
                case IdxType.Int: BinaryPrimitives.WriteInt32BigEndian(span, (int)values[i]); break;
                case IdxType.Float: BinaryPrimitives.WriteSingleBigEndian(span, (float)values[i]); break;
                case IdxType.Double: BinaryPrimitives.WriteDoubleBigEndian(span, values[i]); break;
            }
        }
        using var ms = new MemoryStream();
        Idx.Write(ms, type, [2, 3], payload);
        ms.Position = 0;
        var array = Idx.Read(ms, "mem");
        Assert.Equal(type, array.Type);
        Assert.Equal([2, 3], array.Dimensions);
        Assert.Equal(Array.ConvertAll(values, v => (float)v), array.ToFloatArray());
    }

    [Fact]
    public void IdxShortHeaderIsAnError()
    {
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(new MemoryStream([0, 0, 8]), "tiny"));
        Assert.Equal("IDX: tiny: truncated: 3 bytes, too short for the 4-byte IDX magic number", e.Message);
        e = Assert.Throws<InvalidDataException>(() => Idx.Read(new MemoryStream([0, 0, 8, 2, 0, 0, 0, 1]), "dims"));
        Assert.Contains("header declares 2 dimensions, the file ends in dimension 1", e.Message);
    }
}
