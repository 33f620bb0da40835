using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;
using Dendrite.Runtime;
using Dendrite.Serialization;
using Dendrite.Tests.Cli;
using Dendrite.Tests.Data;

namespace Dendrite.Tests.Runtime;

/// <summary>
/// Every reader refuses a declared size past the memory budget, or past the file's own size, before it
/// allocates (issue 17): the message names the file, the field and the size, and the thread allocates
/// little on the way. Timings are not tested here; tools/fuzz/hostile/run.sh measures them.
/// </summary>
public sealed class MemoryBudgetTests : IDisposable
{
    // Far below the gigabytes the hostile inputs ask for, far above what reading a header and refusing takes.
    private const long FewMegabytes = 16L << 20;

    private readonly string dir = Directory.CreateTempSubdirectory("dendrite-budget-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private string PathOf(string name) => Path.Combine(dir, name);

    /// <summary>Runs <paramref name="action"/>, which must throw <typeparamref name="T"/>, and checks it allocated at most a few megabytes.</summary>
    private static T RefusedCheaply<T>(Action action) where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<T>(action);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < FewMegabytes, $"allocated {allocated} bytes before refusing: {e.Message}");
        return e;
    }

    [Theory]
    [InlineData("1048576", 1L << 20)]
    [InlineData("512M", 512L << 20)]
    [InlineData("4G", 4L << 30)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("2 gb", 2L << 30)]
    [InlineData("64k", 64L << 10)]
    public void ParsesSizes(string text, long bytes) => Assert.Equal(bytes, MemoryBudget.ParseSize(text));

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("-4G")]
    [InlineData("9999999999T")]
    public void RefusesNonSizes(string text) => Assert.Throws<FormatException>(() => MemoryBudget.ParseSize(text));

    [Fact]
    public void DerivedLimitsFollowTheBudget()
    {
        var budget = new MemoryBudget(MemoryBudget.DefaultBytes);
        Assert.Equal(1L << 28, budget.Parameters);
        Assert.Equal(1L << 27, budget.ImagePixels);
        Assert.Equal(1L << 30, budget.DecompressedBytes);
        Assert.Equal(1L << 25, budget.Cells);
        Assert.Equal(1L << 22, budget.ActivationsPerSample);
        using (MemoryBudget.Use(new MemoryBudget(4L << 30))) Assert.Equal(4L << 30, MemoryBudget.Current.Bytes);
        Assert.Equal(MemoryBudget.Default.Bytes, MemoryBudget.Current.Bytes);
    }

    [Fact]
    public void ConvPaddingOfABillionIsRefusedNotPrintedAsANegativeCount()
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(
            """{"input": [1, 28, 28], "layers": [{"type": "conv2d", "out_channels": 6, "kernel_size": 5, "padding": 1000000000}]}"""));
        Assert.Contains("layer 0 (conv2d)", e.Message);
        Assert.Contains("overflows", e.Message);
        // Padding past int on both sides: the padded size itself overflows int.
        e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(
            """{"input": [1, 28, 28], "layers": [{"type": "maxpool2d", "kernel_size": 1, "stride": 1, "padding": 2000000000}]}"""));
        Assert.Contains("layer 0 (maxpool2d)", e.Message);
    }

    [Fact]
    public void AnInputBeyondATensorIsRefusedWithItsTrueSize()
    {
        var e = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(
            """{"input": [2000000000, 2000000000, 2000000000], "layers": [{"type": "flatten"}]}"""));
        Assert.Contains("\"input\" [2000000000, 2000000000, 2000000000]", e.Message);
        Assert.Contains("8E+27 values", e.Message);
        Assert.DoesNotContain("1073741824", e.Message);
        var flat = Assert.Throws<ModelSpecException>(() => ModelSpec.Parse(
            """{"input": [65536, 65536], "layers": [{"type": "relu"}]}"""));
        Assert.Contains("4.29E+09 values", flat.Message);
    }

    [Fact]
    public void SpecTotalsAreCheckedSums()
    {
        var spec = ModelSpec.FromName("lenet5");
        var infos = spec.InferShapes();
        Assert.Equal(infos.Sum(l => l.Parameters), spec.Parameters);
        Assert.Equal(infos.Sum(l => l.MultiplyAdds), spec.MultiplyAdds);
        Assert.Equal(infos.Sum(l => (long)l.OutputShape.Aggregate(1, (a, b) => a * b)), spec.ActivationsPerSample);
    }

    [Fact]
    public void BuildingAHugeLayerIsRefusedBeforeAllocating()
    {
        var spec = ModelSpec.Parse("""{"input": [40000], "layers": [{"type": "linear", "out_features": 40000}]}""");
        var e = RefusedCheaply<MemoryBudgetException>(() => spec.Build());
        Assert.Contains("1,600,040,000 parameters", e.Message);
        Assert.Contains("layer 0 (linear) [40000] → [40000]", e.Message);
        Assert.Contains("6 GiB", e.Message);
        Assert.Contains("--max-memory", e.Message);
    }

    [Fact]
    public void TrainingCountsGradientsOptimizerStateAndActivations()
    {
        var relus = ModelSpec.Parse(
            "{\"input\": [784], \"layers\": [" + string.Join(", ", Enumerable.Repeat("{\"type\": \"relu\"}", 20000)) + "]}");
        relus.CheckMemory("relus.json"); // building takes nothing
        var e = Assert.Throws<MemoryBudgetException>(() => relus.CheckMemory("relus.json", batchSize: 32, copiesPerParameter: 4));
        Assert.StartsWith("relus.json: ", e.Message);
        Assert.Contains("15,680,000 activations per sample", e.Message);
        Assert.Contains("batch of 32", e.Message);
        // mlp:300000 fits once (900 MB), not four times over.
        var mlp = ModelSpec.FromName("mlp:300000");
        mlp.CheckMemory("mlp");
        Assert.Throws<MemoryBudgetException>(() => mlp.CheckMemory("mlp", batchSize: 32, copiesPerParameter: 4));
        using (MemoryBudget.Use(new MemoryBudget(8L << 30))) mlp.CheckMemory("mlp", batchSize: 32, copiesPerParameter: 4);
    }

    /// <summary>A 248 KB model file whose spec claims 784 → 320,000: refused before the spec is built.</summary>
    [Fact]
    public void AModelFileWhoseSpecClaimsMoreThanItHoldsIsRefusedBeforeBuilding()
    {
        string path = PathOf("claims.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros(79, 784), ["0.bias"] = Tensor.Zeros(79) },
            new Dictionary<string, string>
            {
                [ModelFile.FormatKey] = "dendrite-model",
                [ModelFile.SpecKey] = """{"input": [784], "layers": [{"type": "linear", "out_features": 320000}]}""",
            });
        var e = RefusedCheaply<InvalidDataException>(() => ModelFile.Load(path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.Contains("251,200,000 parameters", e.Message);
        Assert.Contains("62,015 values", e.Message);
    }

    /// <summary>The budget bounds what a file asks for, not what a program builds and saves itself.</summary>
    [Fact]
    public void SavingAModelIsNotHeldToTheBudgetButLoadingItIs()
    {
        var spec = ModelSpec.FromName("mlp:512", inputs: 784, outputs: 10);
        var model = spec.Build();
        string path = PathOf("m.safetensors");
        using (MemoryBudget.Use(new MemoryBudget(1L << 20)))
        {
            ModelFile.Save(path, model, spec);
            var e = Assert.Throws<MemoryBudgetException>(() => ModelFile.Load(path));
            Assert.StartsWith(path + ": ", e.Message);
        }
        Assert.Equal(spec.Parameters, ModelFile.Load(path).Model.StateDict().Values.Sum(t => (long)t.Numel));
    }

    [Fact]
    public void ACheckpointWhoseSpecClaimsMoreThanItHoldsIsRefused()
    {
        string path = PathOf("claims.ckpt");
        new Checkpoint
        {
            Spec = ModelSpec.FromName("mlp", inputs: 4, outputs: 2),
            Model = new Dictionary<string, Tensor> { ["0.weight"] = Tensor.Zeros(2, 4), ["0.bias"] = Tensor.Zeros(2) },
            Optimizer = new Dictionary<string, Tensor>(),
        }.Save(path);
        // Rewrite the stored spec to claim a 4 → 3,000,000 layer; the tensors stay tiny.
        var (tensors, metadata) = SafeTensors.Load(path);
        var changed = metadata.ToDictionary(m => m.Key, m => m.Value);
        changed[ModelFile.SpecKey] = """{"input": [4], "layers": [{"type": "linear", "out_features": 3000000}]}""";
        SafeTensors.Save(path, tensors, changed);
        var e = RefusedCheaply<InvalidDataException>(() => Checkpoint.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains("15,000,000 parameters", e.Message);
    }

    [Fact]
    public void SafeTensorsCountsTheFloatCopyAgainstTheBudget()
    {
        string path = PathOf("big.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.Zeros(1024, 1024) });
        Assert.Single(SafeTensors.Load(path).Tensors);
        using var scope = MemoryBudget.Use(new MemoryBudget(2L << 20));
        var e = RefusedCheaply<MemoryBudgetException>(() => SafeTensors.Load(path));
        Assert.StartsWith(path + ": 1 tensors of 1,048,576 values", e.Message);
        Assert.Contains("needs 4 MiB, over the 2 MiB memory budget", e.Message);
    }

    private static byte[] IdxHeader(params int[] dims)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * i), dims[i]);
        return header;
    }

    /// <summary>A gzip'd IDX file declaring 2,000,000 images: refused by the budget before anything is inflated.</summary>
    [Fact]
    public void AGzipIdxDeclaringMillionsOfImagesIsRefusedBeforeInflating()
    {
        string path = PathOf("train-images-idx3-ubyte.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Optimal))
        {
            gz.Write(IdxHeader(2_000_000, 28, 28));
            gz.Write(new byte[784 * 3]);
        }
        var e = RefusedCheaply<MemoryBudgetException>(() => Idx.Read(path));
        Assert.StartsWith($"IDX: {path}: header dimensions [2000000,28,28]", e.Message);
        Assert.Contains("1568000000 bytes once decompressed", e.Message);
        // With room in the budget, the same file is read (streaming) and found truncated instead.
        using var scope = MemoryBudget.Use(new MemoryBudget(16L << 30));
        var truncated = RefusedCheaply<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains("truncated: header says 2000000 items, file holds 3", truncated.Message);
    }

    [Fact]
    public void APlainIdxDeclaringMoreThanTheFileHoldsIsRefusedWithoutReading()
    {
        string path = PathOf("train-images-idx3-ubyte");
        File.WriteAllBytes(path, [.. IdxHeader(2_000_000, 28, 28), .. new byte[784 * 5]]);
        var e = RefusedCheaply<InvalidDataException>(() => Idx.Read(path));
        Assert.Equal($"IDX: {path}: truncated: header says 2000000 items, file holds 5", e.Message);
    }

    /// <summary>A greyscale PNG of zeros; <paramref name="extra"/> bytes inflate past the image's end.</summary>
    private static byte[] GreyPng(int width, int height, int extra = 0)
    {
        var data = new MemoryStream();
        using (var z = new ZLibStream(data, CompressionLevel.Optimal, leaveOpen: true)) z.Write(new byte[(long)height * (width + 1) + extra]);
        var png = new MemoryStream();
        png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8;
        foreach (var (type, body) in new[] { ("IHDR", ihdr), ("IDAT", data.ToArray()), ("IEND", Array.Empty<byte>()) })
        {
            var chunk = new byte[12 + body.Length];
            BinaryPrimitives.WriteInt32BigEndian(chunk, body.Length);
            Encoding.ASCII.GetBytes(type, chunk.AsSpan(4));
            body.CopyTo(chunk, 8);
            BinaryPrimitives.WriteUInt32BigEndian(chunk.AsSpan(8 + body.Length), Png.Crc32(chunk.AsSpan(4, 4 + body.Length)));
            png.Write(chunk);
        }
        return png.ToArray();
    }

    [Fact]
    public void APngLargerThanTheBudgetIsRefusedBeforeInflating()
    {
        var png = GreyPng(1000, 1000);
        Assert.Equal(1000, Png.Decode(png).Width);
        using var scope = MemoryBudget.Use(new MemoryBudget(1L << 20));
        var e = RefusedCheaply<MemoryBudgetException>(() => Png.Decode(png, "big.png"));
        Assert.StartsWith("PNG: big.png: IHDR size 1000×1000 (1000000 pixels, over the 131072-pixel limit)", e.Message);
    }

    [Fact]
    public void APngWhoseDataInflatesPastTheImageIsRefused()
    {
        Assert.Equal(28, Png.Decode(GreyPng(28, 28)).Height);
        var e = Assert.Throws<InvalidDataException>(() => Png.Decode(GreyPng(28, 28, extra: 28 * 29), "twice.png"));
        Assert.Equal("PNG: twice.png: image data inflates past the 812 bytes that a 28×28 image of colour type 0 at depth 8 holds", e.Message);
    }

    [Fact]
    public void ACsvPastTheBudgetIsRefusedWhileReading()
    {
        var text = new StringBuilder("a,b,c,d,label\n");
        for (int i = 0; i < 10_000; i++) text.Append("1,2,3,4,x\n");
        Assert.Equal(10_000, CsvTable.Parse(new StringReader(text.ToString()), "ok.csv").Rows.Count);
        using var scope = MemoryBudget.Use(new MemoryBudget(1L << 20));
        var e = Assert.Throws<MemoryBudgetException>(() => CsvTable.Parse(new StringReader(text.ToString()), "many.csv"));
        Assert.StartsWith("CSV: many.csv: ", e.Message);
        Assert.Contains(" rows × 5 columns", e.Message);
        Assert.Throws<MemoryBudgetException>(() => CsvDataset.Parse(new StringReader(text.ToString()), "label", name: "many.csv"));
        // One endless cell counts as it grows.
        var cell = Assert.Throws<MemoryBudgetException>(() => CsvTable.Parse(new StringReader("a\n" + new string('9', 1 << 20)), "cell.csv"));
        Assert.Contains("characters", cell.Message);
    }

    [Fact]
    public void ACsvHeaderIsReadByTheCsvRulesAndHeldToTheBudget()
    {
        string path = PathOf("quoted.csv");
        File.WriteAllText(path, "\"a,b\",c\n1,x\n");
        Assert.Equal(["a,b", "c"], CsvTable.ReadHeader(path));
        File.WriteAllText(path, new string('h', 2 << 20) + "\n1\n");
        using var scope = MemoryBudget.Use(new MemoryBudget(1L << 20));
        var e = Assert.Throws<MemoryBudgetException>(() => CsvTable.ReadHeader(path));
        Assert.StartsWith($"CSV: {path}: 0 rows × 0 columns (0 cells, ", e.Message);
    }

    [Fact]
    public void TheCliRefusesInOneLineAndMaxMemoryRaisesTheBudget()
    {
        string images = PathOf("train-images-idx3-ubyte.gz");
        using (var gz = new GZipStream(File.Create(images), CompressionLevel.Optimal)) gz.Write(IdxHeader(2_000_000, 28, 28));
        File.WriteAllBytes(PathOf("train-labels-idx1-ubyte"), IdxHeader(2_000_000));
        var r = CliRun.Run("data", "info", dir);
        CliRun.AssertOneLineError(r, 1, "header dimensions [2000000,28,28]");
        Assert.Contains("over the 1 GiB memory budget", r.Err);
        r = CliRun.Run("data", "info", dir, "--max-memory", "16G");
        CliRun.AssertOneLineError(r, 1, "truncated");
        CliRun.AssertOneLineError(CliRun.Run("data", "info", dir, "--max-memory", "lots"), 2, "--max-memory");

        r = CliRun.Run("train", "--model", "mlp:300000", "--data", TestData.MnistSample, "--out", PathOf("run"));
        CliRun.AssertOneLineError(r, 1, "--model mlp:300000: the model's 238,500,010 parameters × 4");
        Assert.False(Directory.Exists(PathOf("run")));

        string spec = PathOf("pad.json");
        File.WriteAllText(spec, JsonSerializer.Serialize(new { input = new[] { 1, 28, 28 }, layers = new object[] { new { type = "conv2d", out_channels = 6, kernel_size = 5, padding = 1_000_000_000 } } }));
        CliRun.AssertOneLineError(CliRun.Run("summary", "--model", spec), 1, "overflows 64 bits");
    }
}
