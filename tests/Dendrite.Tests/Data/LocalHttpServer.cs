using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Dendrite.Tests.Data;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 (random free port) for downloader tests: GET of a known
/// path returns its bytes (honouring "Range: bytes=N-" with 206), anything else 404. One request per
/// connection. <see cref="CutAfter"/> makes the next response stop early to simulate a dropped connection.
/// </summary>
internal sealed class LocalHttpServer : IDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private readonly Task loop;

    public LocalHttpServer(IReadOnlyDictionary<string, byte[]> files)
    {
        Files = new Dictionary<string, byte[]>(files);
        listener.Start();
        BaseUrl = $"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/";
        loop = Task.Run(AcceptLoop);
    }

    public string BaseUrl { get; }

    public Dictionary<string, byte[]> Files { get; }

    /// <summary>Requests seen, as "GET /path" plus " Range=bytes=N-" when present.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>When set, responses send only this many body bytes (with the full Content-Length) and close.</summary>
    public int? CutAfter { get; set; }

    private async Task AcceptLoop()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await listener.AcceptTcpClientAsync(stop.Token); }
            catch (Exception) { return; }
            _ = Task.Run(() => Serve(client));
        }
    }

    private async Task Serve(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var reader = new StreamReader(stream, Encoding.ASCII, false, 1, leaveOpen: true);
            string? requestLine = await reader.ReadLineAsync();
            if (requestLine is null) return;
            string? range = null;
            string? line;
            while (!string.IsNullOrEmpty(line = await reader.ReadLineAsync()))
                if (line.StartsWith("Range:", StringComparison.OrdinalIgnoreCase)) range = line[6..].Trim();
            string path = requestLine.Split(' ')[1].TrimStart('/');
            lock (Requests) Requests.Add($"GET /{path}" + (range is null ? "" : $" Range={range}"));

            if (!Files.TryGetValue(path, out var body))
            {
                await Write(stream, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                return;
            }
            long from = 0;
            string status = "200 OK", extra = "";
            if (range is not null && range.StartsWith("bytes=") && range.EndsWith('-'))
            {
                from = long.Parse(range[6..^1]);
                if (from >= body.Length)
                {
                    await Write(stream, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{body.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ReadOnlyMemory<byte>.Empty);
                    return;
                }
                status = "206 Partial Content";
                extra = $"Content-Range: bytes {from}-{body.Length - 1}/{body.Length}\r\n";
            }
            var slice = body.AsMemory((int)from);
            int send = CutAfter is int cut ? Math.Min(cut, slice.Length) : slice.Length;
            await Write(stream, $"HTTP/1.1 {status}\r\nContent-Length: {slice.Length}\r\n{extra}Connection: close\r\n\r\n", slice[..send]);
        }
    }

    private static async Task Write(NetworkStream stream, string head, ReadOnlyMemory<byte> body)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        await stream.FlushAsync();
    }

    public void Dispose()
    {
        stop.Cancel();
        listener.Stop();
        try { loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
        stop.Dispose();
    }
}
