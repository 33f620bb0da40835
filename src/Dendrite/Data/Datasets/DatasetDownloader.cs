using System.Net;
using System.Security.Cryptography;

namespace Dendrite.Data.Datasets;

/// <summary>One file of a <see cref="RemoteDataset"/>: its name under every base URL, its size in bytes and its SHA-256 (lower-case hex).</summary>
public sealed record RemoteFile(string Name, long Size, string Sha256);

/// <summary>
/// A dataset published as files under one or more mirrors: <see cref="BaseUrls"/> are tried in order for
/// each file, and every file must match its size and SHA-256.
/// </summary>
public sealed record RemoteDataset(string Name, IReadOnlyList<string> BaseUrls, IReadOnlyList<RemoteFile> Files);

/// <summary>
/// Progress of a download: file <paramref name="FileIndex"/> (0-based) of <paramref name="FileCount"/>,
/// <paramref name="BytesReceived"/> of <paramref name="TotalBytes"/> of it on disk (resumed bytes included).
/// </summary>
public readonly record struct DownloadProgress(string FileName, int FileIndex, int FileCount, long BytesReceived, long TotalBytes);

/// <summary>
/// Downloads a <see cref="RemoteDataset"/> into a cache directory, like torchvision's <c>download=True</c>:
/// files already present with the right SHA-256 are kept; each missing file is fetched into
/// <c>name.part</c> (a partial file left by an interrupted run is resumed with an HTTP Range request),
/// checked against its size and SHA-256, and only then renamed to its final name, so a final name always
/// holds a verified file. Mirrors are tried in order; a file that fails its checksum is deleted and the next
/// mirror tried. <see cref="Mnist"/> and <see cref="FashionMnist"/> describe the two standard datasets.
/// </summary>
public sealed class DatasetDownloader
{
    private readonly HttpClient client;

    /// <summary>A downloader using <paramref name="client"/> (default: a new <see cref="HttpClient"/> shared by this downloader).</summary>
    public DatasetDownloader(HttpClient? client = null) => this.client = client ?? new HttpClient();

    /// <summary>
    /// The full MNIST database (60,000 + 10,000 digits, gzip IDX). Mirrors: PyTorch's S3 mirror, Google's
    /// CVDF mirror, then the original site. Sizes and SHA-256 values from TensorFlow Datasets'
    /// <c>url_checksums/mnist.txt</c>.
    /// </summary>
    public static RemoteDataset Mnist { get; } = new("mnist",
        [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ],
        [
            new("train-images-idx3-ubyte.gz", 9912422, "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            new("train-labels-idx1-ubyte.gz", 28881, "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
            new("t10k-images-idx3-ubyte.gz", 1648877, "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            new("t10k-labels-idx1-ubyte.gz", 4542, "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ]);

    /// <summary>
    /// Fashion-MNIST (60,000 + 10,000 images, gzip IDX) from its authors' S3 site. Sizes and SHA-256 values
    /// from TensorFlow Datasets' <c>url_checksums/fashion_mnist.txt</c>.
    /// </summary>
    public static RemoteDataset FashionMnist { get; } = new("fashion-mnist",
        ["http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"],
        [
            new("train-images-idx3-ubyte.gz", 26421880, "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            new("train-labels-idx1-ubyte.gz", 29515, "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
            new("t10k-images-idx3-ubyte.gz", 4422102, "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            new("t10k-labels-idx1-ubyte.gz", 5148, "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ]);

    /// <summary>
    /// The default cache directory of <paramref name="name"/>: <c>$DENDRITE_DATA_DIR/name</c> when that
    /// variable is set, else <c>~/.cache/dendrite/name</c>.
    /// </summary>
    public static string DefaultDirectory(string name)
    {
        string? root = Environment.GetEnvironmentVariable("DENDRITE_DATA_DIR");
        if (string.IsNullOrEmpty(root))
            root = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dendrite");
        return Path.Combine(root, name);
    }

    /// <summary>Synchronous <see cref="DownloadAsync"/>.</summary>
    public string Download(RemoteDataset dataset, string? directory = null, IProgress<DownloadProgress>? progress = null,
        IReadOnlyList<string>? baseUrls = null) =>
        DownloadAsync(dataset, directory, progress, baseUrls).GetAwaiter().GetResult();

    /// <summary>
    /// Makes <paramref name="directory"/> (default <see cref="DefaultDirectory"/>) hold every file of
    /// <paramref name="dataset"/> with its expected SHA-256, and returns the directory. <paramref name="baseUrls"/>
    /// replaces the dataset's mirrors (for a local mirror or a test server). Throws <see cref="IOException"/>
    /// naming the file and each mirror's failure when no mirror delivers a good copy; files already verified
    /// stay in place.
    /// </summary>
    public async Task<string> DownloadAsync(RemoteDataset dataset, string? directory = null,
        IProgress<DownloadProgress>? progress = null, IReadOnlyList<string>? baseUrls = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var mirrors = baseUrls ?? dataset.BaseUrls;
        if (mirrors.Count == 0)
            throw new ArgumentException($"{dataset.Name}: no base URLs to download from", nameof(baseUrls));
        directory ??= DefaultDirectory(dataset.Name);
        Directory.CreateDirectory(directory);

        for (int index = 0; index < dataset.Files.Count; index++)
        {
            var file = dataset.Files[index];
            string target = Path.Combine(directory, file.Name);
            if (File.Exists(target) && await HasChecksumAsync(target, file, cancellationToken).ConfigureAwait(false))
            {
                progress?.Report(new DownloadProgress(file.Name, index, dataset.Files.Count, file.Size, file.Size));
                continue;
            }

            var failures = new List<string>();
            Exception? last = null;
            bool done = false;
            foreach (string baseUrl in mirrors)
            {
                string url = baseUrl.EndsWith('/') ? baseUrl + file.Name : baseUrl + "/" + file.Name;
                try
                {
                    await FetchAsync(url, target + ".part", file, index, dataset.Files.Count, progress, cancellationToken).ConfigureAwait(false);
                    File.Move(target + ".part", target, overwrite: true);
                    done = true;
                    break;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or InvalidDataException
                                              or TaskCanceledException && !cancellationToken.IsCancellationRequested)
                {
                    failures.Add($"{url}: {e.Message}");
                    last = e;
                }
            }
            if (!done)
                throw new IOException(
                    $"{dataset.Name}: could not download {file.Name} into {directory}:{Environment.NewLine}  "
                    + string.Join(Environment.NewLine + "  ", failures), last);
        }
        return directory;
    }

    private async Task FetchAsync(string url, string part, RemoteFile file, int index, int count,
        IProgress<DownloadProgress>? progress, CancellationToken ct)
    {
        long have = File.Exists(part) ? new FileInfo(part).Length : 0;
        if (have > file.Size)
        {
            File.Delete(part);
            have = 0;
        }
        if (have < file.Size)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (have > 0) request.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(have, null);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
            bool append;
            if (response.StatusCode == HttpStatusCode.PartialContent && have > 0)
            {
                var range = response.Content.Headers.ContentRange;
                if (range?.From != have)
                    throw new IOException($"server answered the request for bytes {have}- with range {range?.ToString() ?? "(none)"}");
                append = true;
            }
            else if (response.StatusCode == HttpStatusCode.OK)
            {
                append = false; // the server ignored the Range header: start over
                have = 0;
            }
            else if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
            {
                File.Delete(part); // the partial file does not fit this server's copy; the next attempt starts over
                throw new IOException($"HTTP 416 for bytes {have}-; deleted the partial download");
            }
            else
            {
                throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}", null, response.StatusCode);
            }

            await using var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            await using (var output = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
            {
                var buffer = new byte[1 << 16];
                progress?.Report(new DownloadProgress(file.Name, index, count, have, file.Size));
                int n;
                while ((n = await body.ReadAsync(buffer, ct).ConfigureAwait(false)) > 0)
                {
                    if (have + n > file.Size)
                    {
                        output.Close();
                        File.Delete(part);
                        throw new InvalidDataException($"server sent more than the expected {file.Size} bytes; deleted the download");
                    }
                    await output.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    have += n;
                    progress?.Report(new DownloadProgress(file.Name, index, count, have, file.Size));
                }
            }
            if (have < file.Size)
                throw new IOException($"connection ended after {have} of {file.Size} bytes; {part} is kept and the next attempt resumes it");
        }

        if (!await HasChecksumAsync(part, file, ct).ConfigureAwait(false))
        {
            string actual = await Sha256Async(part, ct).ConfigureAwait(false);
            File.Delete(part);
            throw new InvalidDataException($"SHA-256 mismatch: expected {file.Sha256}, got {actual}; deleted the corrupt download");
        }
    }

    private static async Task<bool> HasChecksumAsync(string path, RemoteFile file, CancellationToken ct) =>
        new FileInfo(path).Length == file.Size
        && string.Equals(await Sha256Async(path, ct).ConfigureAwait(false), file.Sha256, StringComparison.OrdinalIgnoreCase);

    private static async Task<string> Sha256Async(string path, CancellationToken ct)
    {
        await using var stream = File.OpenRead(path);
        return Convert.ToHexString(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false)).ToLowerInvariant();
    }
}
