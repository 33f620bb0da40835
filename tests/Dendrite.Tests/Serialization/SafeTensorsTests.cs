using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Dendrite.Serialization;

namespace Dendrite.Tests.Serialization;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("dendrite-st-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    internal static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Serialization", "Fixtures", name);

    [Fact]
    public void RoundTripsTensorsAndMetadata()
    {
        var tensors = new Dictionary<string, Tensor>
        {
            ["a"] = Tensor.Randn(new Generator(1), 3, 4),
            ["b.weight"] = Tensor.FromArray([1f, -2f, float.NaN, float.PositiveInfinity, -0f]),
            ["scalar"] = Tensor.Scalar(2.5f),
            ["empty"] = Tensor.Zeros(0, 3),
            ["view"] = Tensor.Arange(0, 12).Reshape(3, 4).T, // a non-contiguous view is written in logical order
        };
        string path = PathOf("t.safetensors");
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v", ["ünïcode"] = "✓" });
        var (loaded, metadata) = SafeTensors.Load(path);
        Assert.Equal(tensors.Keys.Order(), loaded.Keys.Order());
        foreach (var (name, t) in tensors)
        {
            Assert.Equal(t.Shape, loaded[name].Shape);
            Assert.Equal(t.ToArray(), loaded[name].ToArray());
        }
        Assert.Equal(0, loaded["scalar"].Rank);
        Assert.Equal("v", metadata["k"]);
        Assert.Equal("✓", metadata["ünïcode"]);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Fact]
    public void WrittenBytesFollowTheFormat()
    {
        string path = PathOf("layout.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor>
        {
            ["x"] = Tensor.FromArray([1f, 2f, 3f], 3),
            ["y"] = Tensor.FromArray([4f, 5f], 1, 2),
        }, new Dictionary<string, string> { ["m"] = "1" });
        byte[] bytes = File.ReadAllBytes(path);
        ulong n = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0UL, n % 8);
        Assert.Equal(8 + (long)n + 5 * 4, bytes.Length);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        Assert.Matches("^\\{.*\\} *$", header); // JSON, then space padding only
        using var json = JsonDocument.Parse(header);
        var root = json.RootElement;
        Assert.Equal("1", root.GetProperty("__metadata__").GetProperty("m").GetString());
        Assert.Equal("F32", root.GetProperty("x").GetProperty("dtype").GetString());
        Assert.Equal([3], root.GetProperty("x").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([0, 12], root.GetProperty("x").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([1, 2], root.GetProperty("y").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([12, 20], root.GetProperty("y").GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt32()));
        int start = 8 + (int)n;
        float[] floats = Enumerable.Range(0, 5).Select(i => BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan(start + 4 * i))).ToArray();
        Assert.Equal([1f, 2f, 3f, 4f, 5f], floats);
    }

    [Fact]
    public void ReadsTheDtypesPyTorchWrites()
    {
        var (t, metadata) = SafeTensors.Load(Fixture("dtypes.safetensors"));
        float[] expected = [1f, -2.5f, 0.15625f, 3.0e4f, -0f, 1f / 3f];
        Assert.Equal(expected, t["f32"].ToArray());
        Assert.Equal(expected, t["f64"].ToArray());
        Assert.Equal([2, 3], t["f16"].Shape.ToArray());
        // Half and bfloat16 are rounded to their precision: 2^-11 and 2^-8 relative.
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(expected[i], t["f16"].ToArray()[i], Math.Abs(expected[i]) * 1e-3f);
            Assert.Equal(expected[i], t["bf16"].ToArray()[i], Math.Abs(expected[i]) * 4e-3f);
        }
        Assert.Equal(30000f, t["bf16"].ToArray()[3], 100f);
        Assert.Equal([0f, -7f, 123456792f], t["i64"].ToArray());
        Assert.Equal([5f, -9f], t["i32"].ToArray());
        Assert.Equal(42f, t["scalar_i64"].Item());
        Assert.Equal(0, t["scalar_i64"].Rank);
        Assert.Equal([0, 3], t["empty"].Shape.ToArray());
        Assert.Equal("dtype conversions", metadata["note"]);
    }

    /// <summary>Writes a file from a header (as given, unpadded unless padded) and a buffer.</summary>
    private string Raw(string name, string header, int bufferBytes, ulong? headerLength = null)
    {
        byte[] h = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + h.Length + bufferBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)h.Length);
        h.CopyTo(bytes, 8);
        string path = PathOf(name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static TheoryData<string, int, string> CorruptHeaders => new()
    {
        { """{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}""", 8, "not valid JSON" },
        { """[1, 2]""", 0, "must be a JSON object" },
        { """{"w": {"dtype": "Q7", "shape": [2], "data_offsets": [0, 8]}}""", 8, "tensor 'w': dtype Q7 is not supported" },
        { """{"w": {"dtype": "C64", "shape": [2], "data_offsets": [0, 16]}}""", 16, "tensor 'w': dtype C64 is not supported" },
        { """{"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}}""", 8, "tensor 'w': shape [3] of F32 needs 12 bytes but data_offsets [0, 8] give 8" },
        { """{"w": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}}""", 8, "tensor 'w': shape sizes must be non-negative" },
        { """{"w": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}}""", 8, "tensor 'w': data_offsets must be non-negative" },
        { """{"w": {"dtype": "F32", "shape": [2], "data_offsets": [8, 0]}}""", 8, "tensor 'w': data_offsets [8, 0] end before they begin" },
        { """{"w": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}""", 4, "tensor 'w': data_offsets [0, 8] run past the 4-byte data buffer" },
        { """{"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}, "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}}""", 12, "overlap" },
        { """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "b": {"dtype": "F32", "shape": [1], "data_offsets": [8, 12]}}""", 12, "tensor 'b': starts at byte 8, leaving a gap after byte 4" },
        { """{"a": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", 12, "cover 4 bytes of the 12-byte data buffer" },
        { """{"w": {"dtype": "F32", "shape": [2147483647, 2147483647, 2147483647], "data_offsets": [0, 8]}}""", 8, "tensor 'w': shape" },
        { """{"w": {"dtype": "F32", "shape": [2]}}""", 8, "tensor 'w': \"data_offsets\" must be [begin, end]" },
        { """{"w": {"shape": [2], "data_offsets": [0, 8]}}""", 8, "tensor 'w': missing or non-string \"dtype\"" },
        { """{"__metadata__": {"epochs": 3}}""", 0, "__metadata__ value 'epochs' must be a string" },
        { """{"w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}, "w": {"dtype": "F32", "shape": [1], "data_offsets": [4, 8]}}""", 8, "Duplicate property 'w'" },
        { """{"__metadata__": {"epochs": "3", "epochs": "5"}}""", 0, "Duplicate property 'epochs'" },
        { """{"__metadata__": {}, "__metadata__": {}}""", 0, "Duplicate property '__metadata__'" },
        // Valid UTF-8 and valid JSON syntax, but a lone surrogate: no string (found by fuzzing the checkpoint reader).
        { """{"__metadata__": {"a": "\uDE22"}}""", 0, "the header holds a \\u escape that is not valid UTF-16 text" },
        { """{"\ud800w": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}""", 4, "not valid UTF-16 text" },
    };

    [Theory]
    [MemberData(nameof(CorruptHeaders))]
    public void CorruptHeadersGiveClearErrorsNamingFileAndTensor(string header, int bufferBytes, string message)
    {
        string path = Raw("bad.safetensors", header, bufferBytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(path + ":", e.Message);
    }

    [Fact]
    public void TruncatedAndLyingLengthsAreCaughtBeforeAllocating()
    {
        string tiny = PathOf("tiny.safetensors");
        File.WriteAllBytes(tiny, [1, 2, 3]);
        Assert.Contains("3 bytes is too short", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(tiny)).Message);

        string past = Raw("past.safetensors", "{}", 0, headerLength: 64);
        Assert.Contains("header length 64 runs past the end of the file (10 bytes)",
            Assert.Throws<InvalidDataException>(() => SafeTensors.Load(past)).Message);

        string huge = Raw("huge.safetensors", "{}", 0, headerLength: ulong.MaxValue);
        Assert.Contains("exceeds the 100000000-byte limit", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(huge)).Message);

        // A real file cut short: the data buffer no longer holds the tensors the header lists.
        string whole = PathOf("whole.safetensors");
        SafeTensors.Save(whole, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(16) });
        byte[] bytes = File.ReadAllBytes(whole);
        string cut = PathOf("cut.safetensors");
        File.WriteAllBytes(cut, bytes[..^10]);
        Assert.Contains("tensor 'w': data_offsets [0, 64] run past", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(cut)).Message);
        File.WriteAllBytes(cut, bytes[..12]);
        Assert.Contains("runs past the end of the file", Assert.Throws<InvalidDataException>(() => SafeTensors.Load(cut)).Message);
    }

    [Fact]
    public void AFailedSaveLeavesThePreviousFileIntact()
    {
        string path = PathOf("model.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Ones(4) });
        byte[] before = File.ReadAllBytes(path);

        // A crash between writing and committing: the temporary file is gone and the old file untouched.
        AtomicFile.BeforeCommit.Value = () => throw new IOException("simulated crash");
        try
        {
            Assert.Throws<IOException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(1000) }));
        }
        finally
        {
            AtomicFile.BeforeCommit.Value = null;
        }
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + ".tmp"));

        // Invalid input fails before anything is written.
        Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = Tensor.Ones(1) }));
        Assert.Equal(before, File.ReadAllBytes(path));

        // A temporary file that cannot be created (a directory is in the way).
        Directory.CreateDirectory(path + ".tmp");
        Assert.ThrowsAny<SystemException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Zeros(2) })); // IOException or UnauthorizedAccessException
        Assert.Equal(before, File.ReadAllBytes(path));
        Directory.Delete(path + ".tmp");

        // A stale temporary file from an earlier crash does not get in the way.
        File.WriteAllText(path + ".tmp", "stale");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["w"] = Tensor.Full(new[] { 2 }, 3f) });
        Assert.Equal([3f, 3f], SafeTensors.Load(path).Tensors["w"].ToArray());
    }
}
