using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.TestHost;

namespace Dendrite.Playground.Tests;

/// <summary>Every limit and every kind of malformed request: a 4xx with a sentence naming the problem, never a 500.</summary>
public sealed class LimitTests
{
    private static object Layers(int count, int neurons = 2) => Enumerable.Range(0, count).Select(_ => new { neurons, activation = "tanh", dropout = 0f }).ToArray();

    private static async Task Expect(TestServerHost host, HttpResponseMessage response, int status, string words)
    {
        var (actual, error) = await host.ErrorOf(response);
        Assert.Equal(status, actual);
        Assert.Contains(words, error);
    }

    [Fact]
    public async Task NetworkSizeRowsAndValuesAreLimited()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        await Expect(host, await session.Configure(ServerTests.Config(layers: Layers(9))), 400, "at most 8 hidden layers, got 9");
        await Expect(host, await session.Configure(ServerTests.Config(layers: Layers(2, 65))), 400, "layer 1: 1 to 64 neurons, got 65");
        await Expect(host, await session.Configure(ServerTests.Config(samples: 5001)), 400, "samples must be 10 to 5000");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "moons")), 400, "unknown dataset 'moons'");
        await Expect(host, await session.Configure(ServerTests.Config(epochsPerFrame: -1)), 400, "epochsPerFrame must be 0");
        await Expect(host, await session.Configure(ServerTests.Config(optimizer: "lbfgs")), 400, "unknown optimizer 'lbfgs'");
        await Expect(host, await session.Configure(ServerTests.Config(lr: -1)), 400, "learningRate must be in (0, 10]");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "spiral", problem: "regression")), 400, "classification set");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "csv")), 400, "no CSV uploaded");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "points")), 400, "needs at least one point");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "points", points: new[] { new[] { 1f, 1f, 1.5f } })), 400, "whole number");
        await Expect(host, await session.Configure(ServerTests.Config(dataset: "points", points: new[] { new[] { 100f, 1f, 1f } })), 400, "[-6, 6]");
        await Expect(host, await session.Configure(ServerTests.Config(layers: new[] { new { neurons = 2, activation = "swish", dropout = 0f } })), 400, "unknown activation 'swish'");
        await Expect(host, await session.Configure(ServerTests.Config(layers: new[] { new { neurons = 2, activation = "tanh", dropout = 1f } })), 400, "dropout must be in [0, 1)");
        await Expect(host, await session.Post("/reset"), 409, "nothing to reset");
        await Expect(host, await host.Client.GetAsync(session.Path("/model")), 409, "nothing to download");
    }

    [Fact]
    public async Task UploadsAreLimitedInBytesRowsColumnsAndClasses()
    {
        var limits = new PlaygroundLimits { MaxUploadBytes = 4000, MaxRows = 100, MaxFeatures = 2, MaxClasses = 3, MaxJsonBytes = 1000 };
        await using var host = await TestServerHost.StartAsync(limits);
        await using var session = await host.OpenSessionAsync();
        Task<HttpResponseMessage> Upload(string text, string query = "") =>
            host.Client.PostAsync(session.Path("/csv" + query), new StringContent(text, Encoding.UTF8, "text/csv"));

        await Expect(host, await Upload(new string('1', 4001)), 413, "limit is 4,000");
        await Expect(host, await Upload("a,b,label\n" + string.Concat(Enumerable.Repeat("1,2,x\n", 101))), 400, "101 rows; the limit is 100");
        await Expect(host, await Upload("a,b,c,label\n1,2,3,x\n4,5,6,y\n"), 400, "3 feature columns; the limit is 2");
        await Expect(host, await Upload("a,label\n1,p\n2,q\n3,r\n4,s\n"), 400, "4 classes; classification needs 2 to 3");
        await Expect(host, await Upload("a,label\n1,p\n2,p\n"), 400, "1 classes");
        await Expect(host, await Upload("a,b,label\n1,oops,x\n2,3,y\n"), 400, "line 2");
        await Expect(host, await Upload("a,b,label\n1,2\n"), 400, "2 fields, the header has 3");
        await Expect(host, await Upload("a,b,label\n1,2,x\n", "?target=nope"), 400, "no column 'nope'");
        await Expect(host, await Upload("a,b,label\n1,2,x\n", "?problem=ranking"), 400, "problem must be classification or regression");
        await Expect(host, await Upload("a,b,label\n1,2,x\n3,4,y\n", "?problem=regression"), 400, "label");
        await Expect(host, await Upload("a,b,label\n1,NaN,x\n3,4,y\n"), 400, "finite");
        await Expect(host, await Upload("   \n"), 400, "empty");
        await Expect(host, await host.Client.PostAsync(session.Path("/csv"), new ByteArrayContent([0x61, 0x2c, 0xff, 0xfe, 0x0a])), 400, "not UTF-8");

        var big = new { dataset = "circle", layers = Enumerable.Range(0, 200).Select(_ => new { neurons = 2, activation = "tanh", dropout = 0f }).ToArray() };
        await Expect(host, await session.Configure(big), 413, "over the limit of 1,000 bytes");
    }

    [Fact]
    public async Task MoreSessionsThanTheLimitAreRefusedWith429()
    {
        await using var host = await TestServerHost.StartAsync(new PlaygroundLimits { MaxSessions = 2 });
        await using var a = await host.OpenSessionAsync();
        await using var b = await host.OpenSessionAsync();
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => host.OpenSessionAsync());
        Assert.Contains("429", refused.Message);
        Assert.Equal(2, host.Server.Sessions.Count);
    }

    [Fact]
    public async Task APageThatNeverReadsItsSocketHasItsSessionEndedNotAnEndlessQueue()
    {
        // Every new network queues its data for the page; nothing here drains the queue, as a page that
        // reconfigures without reading its socket would not.
        var session = new Dendrite.Playground.Sessions.PlaygroundSession("0123456789abcdef", new PlaygroundLimits(), Path.GetTempPath());
        await using var _ = session;
        int configured = 0;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!session.Overrun)
        {
            var config = new Dendrite.Playground.Networks.NetworkConfig { Samples = 20, Seed = (ulong)configured + 1 };
            session.Configure(config);
            configured++;
            await Task.Delay(configured > Dendrite.Playground.Sessions.PlaygroundSession.MaxQueuedMessages ? 20 : 1, timeout.Token);
        }
        Assert.True(session.Overrun);
        // Full, not past full: each network queued its data (and the first frame of it), up to the limit.
        Assert.Equal(Dendrite.Playground.Sessions.PlaygroundSession.MaxQueuedMessages, session.Outgoing.Reader.Count);
        Assert.True(configured >= Dendrite.Playground.Sessions.PlaygroundSession.MaxQueuedMessages / 2, $"ended after {configured} networks");
    }

    [Fact]
    public async Task SessionsTrainingFlatOutLeaveTheServerAnswering()
    {
        await using var host = await TestServerHost.StartAsync(new PlaygroundLimits { MaxSessions = 3 });
        var sessions = new List<TestServerHost.Session>();
        for (int i = 0; i < 3; i++)
        {
            var session = await host.OpenSessionAsync();
            sessions.Add(session);
            // The largest network on the most rows, as fast as the worker can go, never acknowledging a frame.
            var response = await session.Configure(ServerTests.Config(layers: Layers(8, 64), samples: 5000, epochsPerFrame: 0));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await session.Post("/play");
        }
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/api/info")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsJsonAsync("/api/graph", new { graph = "neuron" })).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await sessions[i % 3].Post("/pause")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await sessions[i % 3].Post("/play")).StatusCode);
        }
        foreach (var s in sessions) await s.DisposeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (host.Server.Sessions.Count > 0) await Task.Delay(20, timeout.Token);
    }

    [Fact]
    public async Task MalformedRequestsGet4xxWithAReason()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        HttpContent Json(string text) => new StringContent(text, Encoding.UTF8, "application/json");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"dataset\": ")), 400, "malformed JSON");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"dataset\": \"circle\", \"colour\": 1}")), 400, "colour");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"layers\": \"many\"}")), 400, "malformed JSON");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"layers\": [null]}")), 400, "layer 1 is null");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"features\": null}")), 400, "must not be null");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("null")), 400, "null");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("")), 400, "no body");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("[1, 2]")), 400, "malformed JSON");
        await Expect(host, await host.Client.PutAsync(session.Path("/network"), Json("{\"features\": [\"x3\"]}")), 400, "unknown feature 'x3'");
        await Expect(host, await host.Client.PutAsync("/api/sessions/0123/network", Json("{}")), 404, "no session '0123'");
        await Expect(host, await host.Client.PostAsync("/api/sessions/0123/play", null), 404, "no session");
        await Expect(host, await host.Client.GetAsync(session.Path("/model?format=pickle")), 400, "format must be dendrite or onnx");
        await Expect(host, await host.Client.GetAsync("/api/session"), 400, "takes a WebSocket connection");

        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/predict", new { pixels = new float[784] }), 503, "not ready");
        await Expect(host, await host.Client.PostAsync("/api/digits/predict", Json("{\"pixels\": \"dots\"}")), 400, "malformed JSON");
        await Expect(host, await host.Client.PostAsync("/api/digits/predict", Json("{}")), 400, "pixels: required");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/saliency", new { pixels = new float[784] }), 503, "not ready");
        await Expect(host, await host.Client.PostAsync("/api/digits/saliency", Json("{\"target\": 3}")), 400, "pixels: required");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/adversarial", new { pixels = new float[784] }), 503, "not ready");
        await Expect(host, await host.Client.PostAsync("/api/digits/adversarial", Json("{\"pixels\": [], \"eps\": 1}")), 400, "malformed JSON");

        await Expect(host, await host.Client.PostAsJsonAsync("/api/graph", new { graph = "lstm" }), 400, "unknown graph 'lstm'");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/graph", new { graph = "sum-product", values = new { w = 1 } }), 400, "no input 'w'");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/graph", new { graph = "sum-product", values = new { x = 1e9 } }), 400, "at most 1e6");
        await Expect(host, await host.Client.PostAsync("/api/graph", Json("{\"graph\": \"sum-product\", \"values\": {\"x\": \"NaN\"}}")), 400, "finite");

        // The socket takes acknowledgements only; anything else closes it (and ends the session).
        await session.Socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"play\"}"), System.Net.WebSockets.WebSocketMessageType.Text, true, CancellationToken.None);
        var closed = await Assert.ThrowsAsync<InvalidOperationException>(() => session.ReceiveAsync("never"));
        Assert.Contains("InvalidPayloadData", closed.Message);
    }

    [Fact]
    public async Task DigitPixelsAreChecked()
    {
        await using var host = await TestServerHost.StartAsync();
        // Checked before the model is: a wrong image is the request's fault whether or not a model is ready.
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/predict", new { pixels = new float[783] }), 400, "expected 784 values");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/predict", new { pixels = Enumerable.Repeat(2f, 784) }), 400, "in [0, 1]");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/saliency", new { pixels = new float[784], target = 10 }), 400, "a class from 0 to 9");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/saliency", new { pixels = new float[10] }), 400, "expected 784 values");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/adversarial", new { pixels = new float[784], epsilon = -0.1 }), 400, "epsilon: a step in (0, 0.5]");
        await Expect(host, await host.Client.PostAsJsonAsync("/api/digits/adversarial", new { pixels = new float[784], epsilon = 2 }), 400, "epsilon: a step in (0, 0.5]");
    }

    [Fact]
    public async Task OnlyLoopbackHostsAndSameOriginSocketsAreServed()
    {
        await using var host = await TestServerHost.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/info");
        request.Headers.Host = "evil.example";
        await Expect(host, await host.Client.SendAsync(request), 400, "addressed to localhost");

        var client = host.Server.App.GetTestServer().CreateWebSocketClient();
        client.ConfigureRequest = r => r.Headers.Origin = "http://evil.example";
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(new Uri(host.Client.BaseAddress!, "/api/session"), CancellationToken.None));
        Assert.Contains("403", refused.Message);
        Assert.Equal(0, host.Server.Sessions.Count);
    }
}
