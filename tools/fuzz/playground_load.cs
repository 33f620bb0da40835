#:property PublishAot=false
// The playground under load (issue 17, item 5), on loopback only and bounded in count and time:
//
//   dotnet build src/Dendrite.Cli -c Release && dotnet run tools/fuzz/playground_load.cs -- [--sessions 8] [--seconds 30] [--max-rss-mb 1024]
//
// Starts `dendrite playground --port 0` (the Release build) and, at the same time for --seconds: --sessions
// pages that each open a session (or get 429, then retry), configure the largest network on the most rows,
// play, draw and acknowledge frames, download the model and close; four clients of the digit pad; a
// stream of oversized and malformed requests; slow clients (a page that never reads its socket while reconfiguring, connections that send
// their headers a byte a second, an upload that trickles); and a probe of /api/info twice a second. Samples
// the server's resident memory every 100 ms. Prints the figures and exits 1 when a request got no answer,
// got a 5xx, got an unexpected status, or the peak RSS passed --max-rss-mb.
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;

int sessions = Arg("--sessions", 8), seconds = Arg("--seconds", 30), maxRssMb = Arg("--max-rss-mb", 1024);
string root = FindRoot();
string dll = Path.Combine(root, "src", "Dendrite.Cli", "bin", "Release", "net10.0", "Dendrite.Cli.dll");
if (!File.Exists(dll))
{
    Console.Error.WriteLine($"playground_load: {dll} not found; run: dotnet build src/Dendrite.Cli -c Release");
    return 2;
}

// The digit pad gets a ready LeNet-5 (a test fixture) rather than training one at start-up for a minute.
string digitModel = Path.Combine(root, "tests", "Dendrite.Tests", "Serialization", "Fixtures", "lenet5.safetensors");
var serverInfo = new ProcessStartInfo("dotnet", [dll, "playground", "--port", "0", "--model", digitModel])
{
    RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
};
using var server = Process.Start(serverInfo)!;
var serverErrors = new ConcurrentQueue<string>();
server.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) serverErrors.Enqueue(line); };
server.BeginErrorReadLine();
string? banner = await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(120));
var url = banner is null ? null : System.Text.RegularExpressions.Regex.Match(banner, @"http://\S+/").Value;
if (string.IsNullOrEmpty(url))
{
    Console.Error.WriteLine($"playground_load: the server did not start: {banner}");
    server.Kill();
    return 1;
}
var baseUri = new Uri(url.Replace("localhost", "127.0.0.1", StringComparison.Ordinal));
Console.WriteLine($"server pid {server.Id} at {baseUri}; {sessions} pages, {seconds} s");

var stats = new Stats();
using var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
// Its own connections: the probe measures the server, not a pool shared with hostile requests.
using var probeHttp = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
var deadline = DateTime.UtcNow.AddSeconds(seconds);
using var sampling = new CancellationTokenSource();
long peakRss = 0, startRss = ReadRss(server.Id);
var sampler = Task.Run(async () =>
{
    while (!sampling.IsCancellationRequested)
    {
        peakRss = Math.Max(peakRss, ReadRss(server.Id));
        await Task.Delay(100);
    }
});

// The non-reading page takes its session first (the pages then compete for the rest).
var unreadOpen = new TaskCompletionSource();
var work = new List<Task> { NonReadingPage() };
await unreadOpen.Task.WaitAsync(TimeSpan.FromSeconds(30));
for (int i = 0; i < sessions; i++) work.Add(Page(i));
work.Add(Hostile());
for (int i = 0; i < 4; i++) work.Add(Digits(i));
for (int i = 0; i < 8; i++) work.Add(Slowloris());
work.Add(TricklingUpload());
work.Add(Probe());
await Task.WhenAll(work);
sampling.Cancel();
await sampler;
long hwm = ReadStatus(server.Id, "VmHWM:");
server.Kill();
await server.WaitForExitAsync();

Console.WriteLine($"sessions: {stats.Opened} opened, {stats.Refused} refused with 429 (then retried), {stats.Trained} trained and downloaded their model, {stats.Frames} frames acknowledged");
Console.WriteLine($"requests: {stats.Requests} ({string.Join(", ", stats.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}); slow connections closed by the server: {stats.SlowClosed}");
Console.WriteLine($"non-reading page: {stats.Unread} reconfigurations sent, " + (stats.UnreadEnded ? "then the server ended its session" : "its session never ended"));
Console.WriteLine($"/api/info probe: {stats.Probes} answered, slowest {stats.SlowestProbeMs} ms");
Console.WriteLine($"server RSS: {startRss >> 20} MB at start, peak {Math.Max(peakRss, hwm) >> 20} MB (limit {maxRssMb} MB)");
foreach (var e in stats.Errors.Take(20)) Console.WriteLine($"ERROR: {e}");
foreach (var e in serverErrors.Where(l => l.Contains("fail", StringComparison.OrdinalIgnoreCase)).Take(10)) Console.WriteLine($"server: {e}");
bool ok = stats.Errors.IsEmpty && Math.Max(peakRss, hwm) >> 20 <= maxRssMb;
Console.WriteLine(ok ? "PASS" : $"FAIL: {stats.Errors.Count} errors");
return ok ? 0 : 1;

// A page: open a session (retrying after 429), train the largest network flat out while drawing frames, download it, close.
async Task Page(int index)
{
    while (DateTime.UtcNow < deadline)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        try
        {
            await socket.ConnectAsync(new Uri(baseUri, "/api/session").ToWs(), Timeout(10));
        }
        catch (WebSocketException) when (socket.HttpStatusCode == HttpStatusCode.TooManyRequests)
        {
            stats.Count(429);
            Interlocked.Increment(ref stats.Refused);
            await Task.Delay(300 + 50 * index);
            continue;
        }
        catch (Exception e)
        {
            stats.Error($"page {index}: no answer to the session request ({e.GetType().Name}: {e.Message}, HTTP {socket.HttpStatusCode})");
            return;
        }
        Interlocked.Increment(ref stats.Opened);
        var hello = await Receive(socket, Timeout(10));
        string id = hello.GetProperty("session").GetString()!;
        var layers = Enumerable.Range(0, 8).Select(_ => new { neurons = 64, activation = "tanh", dropout = 0.1f });
        var config = new { dataset = "spiral", samples = 5000, noise = 10, epochsPerFrame = 0, optimizer = "adam", layers, seed = (ulong)index + 1 };
        await Expect(200, http.PutAsync($"/api/sessions/{id}/network", JsonBody(config)), $"page {index}: configure");
        await Expect(204, http.PostAsync($"/api/sessions/{id}/play", null), $"page {index}: play");
        var playUntil = DateTime.UtcNow.AddSeconds(Math.Min(5, seconds / 4.0));
        while (DateTime.UtcNow < playUntil)
        {
            var message = await Receive(socket, Timeout(20));
            if (message.GetProperty("type").GetString() != "frame") continue;
            Interlocked.Increment(ref stats.Frames);
            await socket.SendAsync("{\"type\":\"ack\"}"u8.ToArray(), WebSocketMessageType.Text, true, Timeout(5));
        }
        var model = await Expect(200, http.GetAsync($"/api/sessions/{id}/model?format=onnx"), $"page {index}: download");
        if (model is { Length: > 0 }) Interlocked.Increment(ref stats.Trained);
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", Timeout(5));
    }
}

// The digit pad, sessionless: predictions, saliency maps and FGSM images of random drawings, four at a time.
async Task Digits(int index)
{
    var random = new Random(index);
    string[] routes = ["predict", "saliency", "adversarial"];
    for (int n = 0; DateTime.UtcNow < deadline; n++)
    {
        var pixels = Enumerable.Range(0, 784).Select(_ => random.NextDouble() < 0.2 ? 1.0 : 0.0).ToArray();
        await Expect(200, http.PostAsync($"/api/digits/{routes[n % 3]}", JsonBody(new { pixels, epsilon = 0.1 })), $"digits {routes[n % 3]}");
    }
}

// Oversized and malformed requests, round after round; each must get its 4xx.
async Task Hostile()
{
    var bigCsv = new string('1', 3 << 20);
    var bigJson = "{\"dataset\": \"" + new string('x', 300 << 10) + "\"}";
    string sid = "0123456789abcdef0123456789abcdef";
    while (DateTime.UtcNow < deadline)
    {
        // Oversized bodies go over raw connections: the server answers 413 (or 404 for an unknown session,
        // checked first) and closes while the body is still coming, which HttpClient reports as a send error.
        await Oversized($"/api/sessions/{sid}/csv", "text/csv", Encoding.UTF8.GetBytes(bigCsv), chunked: false, "3 MB CSV", 413, 404);
        await Oversized($"/api/sessions/{sid}/network", "application/json", Encoding.UTF8.GetBytes(bigJson), chunked: false, "300 KB JSON", 413, 404);
        // Chunked (no Content-Length): the limit is counted while reading.
        await Oversized("/api/graph", "application/json", Encoding.UTF8.GetBytes(bigJson), chunked: true, "chunked 300 KB JSON", 413);
        await Expect(400, http.PostAsync("/api/graph", JsonBody("{\"graph\": ")), "truncated JSON");
        await Expect(400, http.PostAsync("/api/graph", JsonBody("{\"graph\": \"nope\"}")), "unknown graph");
        await Expect(400, http.PostAsync("/api/digits/predict", JsonBody("{\"pixels\": [1, 2, 3]}")), "3 pixels", also: 503);
        await Expect(400, http.PostAsync("/api/digits/predict", JsonBody($"{{\"pixels\": [{string.Join(",", Enumerable.Repeat("NaN", 784))}]}}")), "NaN pixels", also: 503);
        await Expect(404, http.PostAsync($"/api/sessions/{sid}/play", null), "unknown session");
        await Expect(404, http.GetAsync("/../../etc/passwd"), "path outside the site");
        await Expect(400, http.GetAsync("/api/session"), "session without a WebSocket");
        var wrongHost = new HttpRequestMessage(HttpMethod.Get, "/api/info") { Headers = { Host = "evil.example" } };
        await Expect(400, http.SendAsync(wrongHost), "non-loopback Host header");
        await Expect(400, http.SendAsync(RawBytes(HttpMethod.Post, "/api/graph", [0xff, 0xfe, 0x00, 0x7b])), "binary body");
        await SocketAbuse("{\"type\": \"play\"}", WebSocketCloseStatus.InvalidPayloadData);
        await SocketAbuse(new string(' ', 4096), WebSocketCloseStatus.MessageTooBig);
    }
}

// A request whose body is over the limit, on a raw connection: the answer's status line must come back,
// whether the server sends it before, during or after the body.
async Task Oversized(string path, string type, byte[] body, bool chunked, string what, params int[] statuses)
{
    using var client = new TcpClient();
    await client.ConnectAsync(baseUri.Host, baseUri.Port);
    var stream = client.GetStream();
    string length = chunked ? "Transfer-Encoding: chunked" : $"Content-Length: {body.Length}";
    string method = path.EndsWith("/network", StringComparison.Ordinal) ? "PUT" : "POST";
    await stream.WriteAsync(Encoding.ASCII.GetBytes($"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {type}\r\n{length}\r\n\r\n"));
    try
    {
        for (int at = 0; at < body.Length && client.Available == 0; at += 16 << 10)
        {
            var piece = body.AsMemory(at, Math.Min(16 << 10, body.Length - at));
            if (chunked) await stream.WriteAsync(Encoding.ASCII.GetBytes($"{piece.Length:x}\r\n"));
            await stream.WriteAsync(piece);
            if (chunked) await stream.WriteAsync("\r\n"u8.ToArray());
        }
        if (chunked && client.Available == 0) await stream.WriteAsync("0\r\n\r\n"u8.ToArray());
    }
    catch (IOException)
    {
        // The server closed mid-body; its answer may already be in our receive buffer.
    }
    var buffer = new byte[512];
    int read = 0;
    try
    {
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        read = await stream.ReadAsync(buffer, wait.Token);
    }
    catch (Exception e) when (e is IOException or OperationCanceledException)
    {
    }
    var head = Encoding.ASCII.GetString(buffer, 0, read);
    var match = System.Text.RegularExpressions.Regex.Match(head, @"^HTTP/1\.1 (\d{3})");
    if (!match.Success)
    {
        stats.Error($"{what}: no answer (connection closed without a status line)");
        return;
    }
    int status = int.Parse(match.Groups[1].Value);
    stats.Count(status);
    if (!statuses.Contains(status)) stats.Error($"{what}: got {status}, expected {string.Join(" or ", statuses)}");
}

// A page that sends a command over its socket, or an over-long message: the server closes that socket.
async Task SocketAbuse(string message, WebSocketCloseStatus expected)
{
    using var socket = new ClientWebSocket();
    socket.Options.CollectHttpResponseDetails = true;
    try
    {
        await socket.ConnectAsync(new Uri(baseUri, "/api/session").ToWs(), Timeout(10));
    }
    catch (WebSocketException) when (socket.HttpStatusCode == HttpStatusCode.TooManyRequests)
    {
        stats.Count(429);
        return;
    }
    await Receive(socket, Timeout(10));
    await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, true, Timeout(5));
    var buffer = new byte[1 << 16];
    var wait = Timeout(10);
    try
    {
        while ((await socket.ReceiveAsync(buffer, wait)).MessageType != WebSocketMessageType.Close) { }
        stats.Count(socket.CloseStatus == expected ? 1000 + (int)expected : 0);
        if (socket.CloseStatus != expected) stats.Error($"socket message '{message[..Math.Min(20, message.Length)]}': closed with {socket.CloseStatus}, expected {expected}");
    }
    catch (Exception e) when (e is WebSocketException or OperationCanceledException)
    {
        stats.Error($"socket message '{message[..Math.Min(20, message.Length)]}': not closed ({e.GetType().Name})");
    }
}

// A page that never reads its socket yet keeps reconfiguring (each new network queues a data message for
// it): the server must not hold an ever-growing queue for it.
async Task NonReadingPage()
{
    using var socket = new ClientWebSocket();
    socket.Options.CollectHttpResponseDetails = true;
    await socket.ConnectAsync(new Uri(baseUri, "/api/session").ToWs(), Timeout(10));
    var hello = await Receive(socket, Timeout(10));
    string id = hello.GetProperty("session").GetString()!;
    unreadOpen.SetResult();
    for (ulong seed = 1; DateTime.UtcNow < deadline; seed++)
    {
        var config = new { dataset = "circle", samples = 5000, seed };
        var response = await Send(http.PutAsync($"/api/sessions/{id}/network", JsonBody(config)), "non-reading page: configure");
        Interlocked.Increment(ref stats.Unread);
        if (response is null) return;
        // 404/410 once the server has ended the session of a page that does not read: the right answer.
        if (response.Value.Status is 404 or 410)
        {
            stats.UnreadEnded = true;
            return;
        }
        if (response.Value.Status != 200) stats.Error($"non-reading page: configure got {response.Value.Status}");
    }
}

// A connection that sends its request line and headers a byte a second: the server must drop it, not keep it.
async Task Slowloris()
{
    using var client = new TcpClient();
    await client.ConnectAsync(baseUri.Host, baseUri.Port);
    var stream = client.GetStream();
    var request = Encoding.ASCII.GetBytes($"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: {new string('a', 4000)}\r\n\r\n");
    try
    {
        foreach (byte b in request)
        {
            if (DateTime.UtcNow > deadline.AddSeconds(60)) break;
            await stream.WriteAsync(new[] { b });
            await Task.Delay(1000);
        }
    }
    catch (IOException)
    {
        Interlocked.Increment(ref stats.SlowClosed);
        return;
    }
    stats.Error("slowloris: the server kept a connection that sent a byte a second for the whole run");
}

// An upload that promises 100 KB and sends 10 bytes a second: the server's minimum data rate ends it.
async Task TricklingUpload()
{
    using var client = new TcpClient();
    await client.ConnectAsync(baseUri.Host, baseUri.Port);
    var stream = client.GetStream();
    await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /api/graph HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"));
    try
    {
        var until = deadline.AddSeconds(60);
        while (DateTime.UtcNow < until)
        {
            await stream.WriteAsync("          "u8.ToArray());
            await Task.Delay(1000);
            if (client.Available > 0) break; // the server answered (408) before closing
        }
    }
    catch (IOException)
    {
    }
    if (client.Available > 0 || !client.Connected || stream.Socket.Poll(0, SelectMode.SelectRead)) Interlocked.Increment(ref stats.SlowClosed);
    else stats.Error("trickling upload: the server kept a 10-byte/s upload for the whole run");
}

// The server stays responsive: /api/info twice a second throughout.
async Task Probe()
{
    while (DateTime.UtcNow < deadline)
    {
        var started = Stopwatch.GetTimestamp();
        if (await Expect(200, probeHttp.GetAsync("/api/info"), "probe") is not null)
        {
            Interlocked.Increment(ref stats.Probes);
            stats.Slowest((long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        await Task.Delay(500);
    }
}

async Task<byte[]?> Expect(int status, Task<HttpResponseMessage> request, string what, int also = 0)
{
    var result = await Send(request, what);
    if (result is null) return null;
    if (result.Value.Status != status && result.Value.Status != also)
    {
        stats.Error($"{what}: got {result.Value.Status}, expected {status}: {Encoding.UTF8.GetString(result.Value.Body.AsSpan(0, Math.Min(200, result.Value.Body.Length)))}");
        return null;
    }
    return result.Value.Body;
}

async Task<(int Status, byte[] Body)?> Send(Task<HttpResponseMessage> request, string what)
{
    try
    {
        using var response = await request;
        var body = await response.Content.ReadAsByteArrayAsync();
        stats.Count((int)response.StatusCode);
        return ((int)response.StatusCode, body);
    }
    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
    {
        stats.Error($"{what}: no answer ({e.GetType().Name}: {e.Message})");
        return null;
    }
}

static async Task<JsonElement> Receive(ClientWebSocket socket, CancellationToken cancel)
{
    var buffer = new MemoryStream();
    var chunk = new byte[1 << 16];
    WebSocketReceiveResult result;
    do
    {
        result = await socket.ReceiveAsync(chunk, cancel);
        buffer.Write(chunk, 0, result.Count);
    }
    while (!result.EndOfMessage);
    if (result.MessageType == WebSocketMessageType.Close) throw new WebSocketException($"closed by the server: {socket.CloseStatus} {socket.CloseStatusDescription}");
    return JsonDocument.Parse(buffer.ToArray()).RootElement.Clone();
}

static HttpContent JsonBody(object body) =>
    new StringContent(body as string ?? JsonSerializer.Serialize(body, new JsonSerializerOptions(JsonSerializerDefaults.Web)), Encoding.UTF8, "application/json");

static HttpRequestMessage RawBytes(HttpMethod method, string path, byte[] body) =>
    new(method, path) { Content = new ByteArrayContent(body) { Headers = { { "Content-Type", "application/json" } } } };

// The token of a deadline; the source is left to the garbage collector (a short run, a few thousand of them).
static CancellationToken Timeout(int seconds) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;

static long ReadRss(int pid) => ReadStatus(pid, "VmRSS:");

static long ReadStatus(int pid, string field)
{
    try
    {
        var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line[field.Length..].Trim().Split(' ')[0]) * 1024;
    }
    catch (IOException)
    {
        return 0;
    }
}

int Arg(string name, int fallback)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
}

static string FindRoot()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
    throw new DirectoryNotFoundException("run from inside the Dendrite repository");
}

sealed class Stats
{
    public int Opened, Refused, Trained, Frames, Probes, SlowClosed, Unread;
    public bool UnreadEnded;
    public long Requests, SlowestProbeMs;
    public ConcurrentDictionary<int, int> Statuses { get; } = new();
    public ConcurrentQueue<string> Errors { get; } = new();

    public void Count(int status)
    {
        Interlocked.Increment(ref Requests);
        Statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
    }

    public void Error(string what) => Errors.Enqueue(what);

    public void Slowest(long ms)
    {
        long seen;
        while (ms > (seen = Interlocked.Read(ref SlowestProbeMs)) && Interlocked.CompareExchange(ref SlowestProbeMs, ms, seen) != seen) { }
    }
}

/// <summary>A body sent with Transfer-Encoding: chunked (no Content-Length to check up front).</summary>
sealed class ChunkedContent(byte[] bytes) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}

static class UriExtensions
{
    public static Uri ToWs(this Uri uri) => new UriBuilder(uri) { Scheme = "ws" }.Uri;
}
