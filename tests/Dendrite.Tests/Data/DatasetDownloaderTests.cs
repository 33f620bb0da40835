using System.Security.Cryptography;
using Dendrite.Data.Datasets;

namespace Dendrite.Tests.Data;

public class DatasetDownloaderTests
{
    private static readonly string[] Names =
        ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];

    private static Dictionary<string, byte[]> SampleFiles() =>
        Names.ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(TestData.MnistSample, n)));

    // The test's own checksum table, computed from the committed sample (and cross-checked against SHA256SUMS).
    private static RemoteDataset Sample(string baseUrl) =>
        new("mnist-sample", [baseUrl],
            [.. SampleFiles().Select(kv => new RemoteFile(kv.Key, kv.Value.Length, Convert.ToHexString(SHA256.HashData(kv.Value)).ToLowerInvariant()))]);

    private sealed class Recorder : IProgress<DownloadProgress>
    {
        public List<DownloadProgress> Reports { get; } = [];
        public void Report(DownloadProgress value) { lock (Reports) Reports.Add(value); }
    }

    [Fact]
    public void ChecksumTableAgreesWithSha256Sums()
    {
        var sums = File.ReadAllLines(Path.Combine(TestData.MnistSample, "SHA256SUMS"))
            .Where(l => l.Length > 0).Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .ToDictionary(p => p[1].TrimStart('*'), p => p[0]);
        foreach (var f in Sample("http://unused/").Files) Assert.Equal(sums[f.Name], f.Sha256);
    }

    [Fact]
    public async Task DownloadsVerifiesAndLoads()
    {
        using var server = new LocalHttpServer(SampleFiles());
        using var dir = new TempDir();
        var progress = new Recorder();
        string result = await new DatasetDownloader().DownloadAsync(Sample(server.BaseUrl), dir.Path, progress);
        Assert.Equal(dir.Path, result);
        foreach (var name in Names)
            Assert.Equal(File.ReadAllBytes(Path.Combine(TestData.MnistSample, name)), File.ReadAllBytes(dir.File(name)));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.part"));
        Assert.Equal(8000, Mnist.Load(dir.Path).Count);
        // Progress ends each file at its full size and never goes backwards within a file.
        foreach (var group in progress.Reports.GroupBy(r => r.FileIndex))
        {
            var list = group.ToList();
            Assert.Equal(list[^1].TotalBytes, list[^1].BytesReceived);
            for (int i = 1; i < list.Count; i++) Assert.True(list[i].BytesReceived >= list[i - 1].BytesReceived);
        }
        Assert.Equal(4, progress.Reports.Select(r => r.FileIndex).Distinct().Count());

        // A second run finds every file verified and makes no request.
        int before = server.Requests.Count;
        await new DatasetDownloader().DownloadAsync(Sample(server.BaseUrl), dir.Path);
        Assert.Equal(before, server.Requests.Count);
    }

    [Fact]
    public async Task ResumesAPartialFileWithARangeRequest()
    {
        using var server = new LocalHttpServer(SampleFiles());
        using var dir = new TempDir();
        var full = server.Files["train-images-idx3-ubyte.gz"];
        File.WriteAllBytes(dir.File("train-images-idx3-ubyte.gz.part"), full[..1000]);
        await new DatasetDownloader().DownloadAsync(Sample(server.BaseUrl), dir.Path);
        Assert.Contains("GET /train-images-idx3-ubyte.gz Range=bytes=1000-", server.Requests);
        Assert.Equal(full, File.ReadAllBytes(dir.File("train-images-idx3-ubyte.gz")));
    }

    [Fact]
    public async Task ADroppedConnectionKeepsThePartAndTheNextRunResumes()
    {
        using var server = new LocalHttpServer(SampleFiles()) { CutAfter = 5000 };
        using var dir = new TempDir();
        var e = await Assert.ThrowsAsync<IOException>(() => new DatasetDownloader().DownloadAsync(Sample(server.BaseUrl), dir.Path));
        Assert.Contains("could not download train-images-idx3-ubyte.gz", e.Message);
        Assert.Equal(5000, new FileInfo(dir.File("train-images-idx3-ubyte.gz.part")).Length);
        Assert.False(File.Exists(dir.File("train-images-idx3-ubyte.gz")));

        server.CutAfter = null;
        await new DatasetDownloader().DownloadAsync(Sample(server.BaseUrl), dir.Path);
        Assert.Contains("GET /train-images-idx3-ubyte.gz Range=bytes=5000-", server.Requests);
        Assert.Equal(server.Files["train-images-idx3-ubyte.gz"], File.ReadAllBytes(dir.File("train-images-idx3-ubyte.gz")));
    }

    [Fact]
    public async Task ACorruptFileIsDeletedAndGoodFilesStay()
    {
        using var server = new LocalHttpServer(SampleFiles());
        using var dir = new TempDir();
        var spec = Sample(server.BaseUrl);
        var bad = (byte[])server.Files["t10k-images-idx3-ubyte.gz"].Clone();
        bad[bad.Length / 2] ^= 0xff;
        server.Files["t10k-images-idx3-ubyte.gz"] = bad;

        var e = await Assert.ThrowsAsync<IOException>(() => new DatasetDownloader().DownloadAsync(spec, dir.Path));
        Assert.Contains("t10k-images-idx3-ubyte.gz", e.Message);
        Assert.Contains("SHA-256 mismatch: expected " + spec.Files[2].Sha256, e.Message);
        Assert.IsType<InvalidDataException>(e.InnerException);
        Assert.False(File.Exists(dir.File("t10k-images-idx3-ubyte.gz")));
        Assert.False(File.Exists(dir.File("t10k-images-idx3-ubyte.gz.part")));
        var goodTime = File.GetLastWriteTimeUtc(dir.File("train-images-idx3-ubyte.gz"));
        Assert.Equal(SampleFiles()["train-labels-idx1-ubyte.gz"], File.ReadAllBytes(dir.File("train-labels-idx1-ubyte.gz")));

        // With the file fixed, only the missing file is fetched; verified files are left as they were.
        server.Files["t10k-images-idx3-ubyte.gz"] = SampleFiles()["t10k-images-idx3-ubyte.gz"];
        server.Requests.Clear();
        await new DatasetDownloader().DownloadAsync(spec, dir.Path);
        Assert.Equal(["GET /t10k-images-idx3-ubyte.gz", "GET /t10k-labels-idx1-ubyte.gz"], server.Requests);
        Assert.Equal(goodTime, File.GetLastWriteTimeUtc(dir.File("train-images-idx3-ubyte.gz")));
    }

    [Fact]
    public async Task NotFoundFallsBackToTheNextMirror()
    {
        using var empty = new LocalHttpServer(new Dictionary<string, byte[]>());
        using var server = new LocalHttpServer(SampleFiles());
        using var dir = new TempDir();
        var spec = Sample(server.BaseUrl) with { BaseUrls = [empty.BaseUrl, server.BaseUrl] };
        await new DatasetDownloader().DownloadAsync(spec, dir.Path);
        Assert.Equal(4, empty.Requests.Count);
        Assert.True(File.Exists(dir.File("t10k-labels-idx1-ubyte.gz")));
    }

    [Fact]
    public async Task NotFoundEverywhereIsAClearError()
    {
        using var empty = new LocalHttpServer(new Dictionary<string, byte[]>());
        using var dir = new TempDir();
        // The real MNIST table with the mirrors overridden: only the local server is asked.
        var e = await Assert.ThrowsAsync<IOException>(() =>
            new DatasetDownloader().DownloadAsync(DatasetDownloader.Mnist, dir.Path, baseUrls: [empty.BaseUrl]));
        Assert.Contains("mnist: could not download train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains(empty.BaseUrl + "train-images-idx3-ubyte.gz: HTTP 404 Not Found", e.Message);
        Assert.Equal(["GET /train-images-idx3-ubyte.gz"], empty.Requests);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void DefaultDirectoryIsUnderTheCache()
    {
        string d = DatasetDownloader.DefaultDirectory("mnist");
        Assert.Equal("mnist", Path.GetFileName(d));
        string? env = Environment.GetEnvironmentVariable("DENDRITE_DATA_DIR");
        Assert.Equal(string.IsNullOrEmpty(env)
            ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dendrite", "mnist")
            : Path.Combine(env, "mnist"), d);
        Assert.Equal(4, DatasetDownloader.Mnist.Files.Count);
        Assert.All(DatasetDownloader.FashionMnist.Files, f => Assert.Equal(64, f.Sha256.Length));
    }
}
