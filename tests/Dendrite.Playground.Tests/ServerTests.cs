using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dendrite.Serialization;
using Microsoft.AspNetCore.TestHost;

namespace Dendrite.Playground.Tests;

/// <summary>The server's endpoints in-process: the page, the session socket, training, uploads, downloads.</summary>
public sealed class ServerTests
{
    internal static object Config(string dataset = "circle", object? layers = null, string problem = "classification", float lr = 0.03f,
        string optimizer = "sgd", object? points = null, int[]? view = null, int samples = 200, int epochsPerFrame = 10) => new
    {
        dataset, problem, samples, learningRate = lr, optimizer, batchSize = 10, epochsPerFrame, trainRatio = 50, features = new[] { "x1", "x2" },
        layers = layers ?? new[] { new { neurons = 6, activation = "tanh", dropout = 0f } }, seed = 3, points, view = view ?? [0, 1],
    };

    internal static string ThreeClassCsv(int rows = 150)
    {
        var csv = new StringBuilder("a,b,c,label\n");
        var random = new Random(1);
        for (int i = 0; i < rows; i++)
            csv.Append(FormattableString.Invariant($"{3 * (i % 3) + random.NextDouble():0.###},{random.NextDouble() - 1.5 * (i % 3):0.###},{random.NextDouble():0.###},k{i % 3}\n"));
        return csv.ToString();
    }

    [Fact]
    public async Task ThePageAndItsFilesAreServedFromTheAssembly()
    {
        await using var host = await TestServerHost.StartAsync();
        var page = await host.Client.GetAsync("/");
        Assert.Equal("text/html; charset=utf-8", page.Content.Headers.ContentType!.ToString());
        Assert.Contains("Dendrite <span>playground</span>", await page.Content.ReadAsStringAsync());
        foreach (var file in new[] { "app.css", "js/main.js", "js/playground.js", "js/digits.js", "js/graph.js", "js/render.js", "js/diagram.js", "js/state.js", "js/icons.js" })
            Assert.Equal(HttpStatusCode.OK, (await host.Client.GetAsync("/static/" + file)).StatusCode);
        Assert.Equal("text/javascript; charset=utf-8", (await host.Client.GetAsync("/static/js/main.js")).Content.Headers.ContentType!.ToString());
        foreach (var path in new[] { "/static/nope.js", "/static/../Dendrite.Playground.dll", "/static/%2e%2e/%2e%2e/etc/passwd", "/nope" })
        {
            var response = await host.Client.GetAsync(path);
            Assert.True(response.Content.Headers.ContentLength > 0, $"{path}: {(int)response.StatusCode} with an empty body");
            var (status, error) = await host.ErrorOf(response);
            Assert.Equal(404, status);
            Assert.StartsWith("no ", error);
        }
    }

    [Fact]
    public async Task InfoListsTheLimitsAndChoices()
    {
        await using var host = await TestServerHost.StartAsync();
        using var info = JsonDocument.Parse(await host.Client.GetStringAsync("/api/info"));
        var root = info.RootElement;
        Assert.Equal(8, root.GetProperty("limits").GetProperty("maxLayers").GetInt32());
        Assert.Equal(64, root.GetProperty("limits").GetProperty("maxNeurons").GetInt32());
        Assert.Equal(["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"], root.GetProperty("optimizers").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(4, root.GetProperty("datasets").GetProperty("classification").GetArrayLength());
        Assert.Equal(7, root.GetProperty("features").GetArrayLength());
    }

    [Fact]
    public async Task ASessionTrainsStepsPausesAndResetsToTheSameWeights()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        var configured = await session.Configure(Config(layers: new[] { new { neurons = 8, activation = "tanh", dropout = 0f }, new { neurons = 8, activation = "tanh", dropout = 0.1f } }));
        Assert.Equal(HttpStatusCode.OK, configured.StatusCode);
        using (var result = JsonDocument.Parse(await configured.Content.ReadAsStringAsync()))
        {
            Assert.True(result.RootElement.GetProperty("rebuilt").GetBoolean());
            Assert.Equal(2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2, result.RootElement.GetProperty("parameters").GetInt64());
            Assert.Equal(100, result.RootElement.GetProperty("trainRows").GetInt32());
        }
        var data = await session.ReceiveAsync("data");
        Assert.Equal(["0", "1"], data.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        var first = await session.FrameAsync();
        Assert.Equal(0, first.GetProperty("epoch").GetInt32());
        Assert.Equal(48 * 48 * 2, Convert.FromBase64String(first.GetProperty("grid").GetProperty("values").GetString()!).Length);
        Assert.Equal(3, first.GetProperty("neurons").GetProperty("layers").GetArrayLength()); // inputs and two hidden layers
        Assert.Equal(3, first.GetProperty("weights").GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await session.Post("/step")).StatusCode);
        Assert.Equal(1, (await session.FrameAsync(f => f.GetProperty("epoch").GetInt32() >= 1)).GetProperty("epoch").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await session.Post("/play")).StatusCode);
        var trained = await session.FrameAsync(f => f.GetProperty("testAccuracy").GetDouble() >= 0.9 && f.GetProperty("epoch").GetInt32() > 1);
        Assert.True(trained.GetProperty("trainLoss").GetDouble() < first.GetProperty("trainLoss").GetDouble());
        Assert.Equal(HttpStatusCode.NoContent, (await session.Post("/pause")).StatusCode);

        // A learning-rate change keeps the network; a reset rebuilds it from the seed.
        var changed = await session.Configure(Config(lr: 0.1f, optimizer: "adam", layers: new[] { new { neurons = 8, activation = "tanh", dropout = 0f }, new { neurons = 8, activation = "tanh", dropout = 0.1f } }));
        using (var result = JsonDocument.Parse(await changed.Content.ReadAsStringAsync()))
            Assert.False(result.RootElement.GetProperty("rebuilt").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await session.Post("/reset")).StatusCode);
        await session.ReceiveAsync("data");
        var reset = await session.FrameAsync(f => f.GetProperty("epoch").GetInt32() == 0);
        Assert.Equal(first.GetProperty("weights").GetRawText(), reset.GetProperty("weights").GetRawText());
    }

    [Fact]
    public async Task PlayingTrainsTheChosenEpochsPerFrame()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.Configure(Config(epochsPerFrame: 3))).StatusCode);
        int last = (await session.FrameAsync()).GetProperty("epoch").GetInt32();
        await session.Post("/play");
        for (int i = 0; i < 6; i++)
        {
            int epoch = (await session.FrameAsync()).GetProperty("epoch").GetInt32();
            Assert.InRange(epoch - last, 0, 3);
            last = epoch;
        }
        Assert.True(last > 0);
    }

    [Fact]
    public async Task ATwoUnitLayerSendsTheWarpedGrid()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        var response = await session.Configure(Config(dataset: "xor", layers: new[] { new { neurons = 2, activation = "tanh", dropout = 0f } }));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var frame = await session.FrameAsync();
        var warp = frame.GetProperty("warp");
        Assert.Equal(0, warp.GetProperty("layer").GetInt32());
        int floats = 2 * warp.GetProperty("lines").GetInt32() * warp.GetProperty("points").GetInt32() * 2;
        Assert.Equal(floats * 4, Convert.FromBase64String(warp.GetProperty("grid").GetString()!).Length);
        Assert.Equal(100 * 2 * 4, Convert.FromBase64String(warp.GetProperty("train").GetString()!).Length);
    }

    [Fact]
    public async Task DownloadsAModelFileAndOnnxThroughTheTemporaryFolderOnly()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        Assert.Equal(HttpStatusCode.OK, (await session.Configure(Config(dataset: "gaussian"))).StatusCode);
        await session.FrameAsync();
        await session.Post("/step");
        await session.FrameAsync(f => f.GetProperty("epoch").GetInt32() == 1);

        var file = await host.Client.GetAsync(session.Path("/model?format=dendrite"));
        Assert.Equal(HttpStatusCode.OK, file.StatusCode);
        Assert.Equal("playground.safetensors", file.Content.Headers.ContentDisposition!.FileName);
        string path = Path.Combine(Path.GetTempPath(), $"playground-test-{Guid.NewGuid():N}.safetensors");
        await File.WriteAllBytesAsync(path, await file.Content.ReadAsByteArrayAsync());
        try
        {
            var (model, spec, facts) = ModelFile.Load(path);
            Assert.Equal([2], spec.Input);
            Assert.Equal("featuremap", spec.Layers[0].Type);
            Assert.Equal("1", facts["epochs"]);
            Assert.Equal("0,1", facts["classes"]);
            var output = model.Forward(Tensors.Tensor.FromArray([2f, 2f, -2f, -2f], 2, 2)).ToArray();
            Assert.True(output[1] > output[0] && output[2] > output[3], "the downloaded model tells the two Gaussians apart");
        }
        finally
        {
            File.Delete(path);
        }
        var onnx = await host.Client.GetByteArrayAsync(session.Path("/model?format=onnx"));
        Assert.True(onnx.Length > 100);
        Assert.Equal(0x08, onnx[0]); // ModelProto field 1 (ir_version), a varint
        Assert.Empty(Directory.EnumerateFileSystemEntries(host.Server.TemporaryFolder));
        string folder = host.Server.TemporaryFolder;
        await host.DisposeAsync();
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public async Task ACsvWithThreeClassesUploadsAndTrains()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        var upload = await host.Client.PostAsync(session.Path("/csv?name=../../etc/x.csv"), new StringContent(ThreeClassCsv(), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, upload.StatusCode);
        using (var summary = JsonDocument.Parse(await upload.Content.ReadAsStringAsync()))
        {
            Assert.Equal(150, summary.RootElement.GetProperty("rows").GetInt32());
            Assert.Equal("label", summary.RootElement.GetProperty("target").GetString());
            Assert.Equal(["k0", "k1", "k2"], summary.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()));
        }
        Assert.Equal(HttpStatusCode.OK, (await session.Configure(Config(dataset: "csv", view: [0, 2]))).StatusCode);
        var data = await session.ReceiveAsync("data");
        Assert.Equal(["a", "b", "c"], data.GetProperty("columns").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal([0, 2], data.GetProperty("view").EnumerateArray().Select(e => e.GetInt32()));
        await session.Post("/play");
        var frame = await session.FrameAsync(f => f.GetProperty("testAccuracy").GetDouble() >= 0.9);
        Assert.Equal(48 * 48 * 3, Convert.FromBase64String(frame.GetProperty("grid").GetProperty("values").GetString()!).Length);
        await session.Post("/pause");

        // The download takes raw CSV rows (the standardisation is its first layer) and knows its target and classes.
        string path = Path.Combine(Path.GetTempPath(), $"playground-csv-{Guid.NewGuid():N}.safetensors");
        await File.WriteAllBytesAsync(path, await host.Client.GetByteArrayAsync(session.Path("/model")));
        try
        {
            var (model, spec, facts) = ModelFile.Load(path);
            Assert.Equal([3], spec.Input);
            Assert.Equal("label", facts["target"]);
            Assert.Equal("k0,k1,k2", facts["classes"]);
            var logits = model.Forward(Tensors.Tensor.FromArray([6.5f, -2.5f, 0.5f], 1, 3)).ToArray();
            Assert.Equal(2, Array.IndexOf(logits, logits.Max())); // a row like the third class's
        }
        finally
        {
            File.Delete(path);
        }

        // Regression on the same upload: a numeric target.
        var regression = await host.Client.PostAsync(session.Path("/csv?target=a&problem=regression"), new StringContent(ThreeClassCsv().Replace(",k", ",", StringComparison.Ordinal), Encoding.UTF8, "text/csv"));
        Assert.Equal(HttpStatusCode.OK, regression.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await session.Configure(Config(dataset: "csv", problem: "regression"))).StatusCode);
        Assert.True((await session.ReceiveAsync("data")).GetProperty("regression").GetBoolean());
        var first = await session.FrameAsync();
        Assert.False(first.TryGetProperty("testAccuracy", out _));
        Assert.True(first.GetProperty("grid").TryGetProperty("range", out _));
    }

    [Fact]
    public async Task ClickedPointsAreTheTrainingSet()
    {
        await using var host = await TestServerHost.StartAsync();
        await using var session = await host.OpenSessionAsync();
        var points = new[] { new[] { -2f, 2f, 0f }, [2f, -2f, 1f], [3f, 3f, 2f], [-3f, -3f, 2f] };
        Assert.Equal(HttpStatusCode.OK, (await session.Configure(Config(dataset: "points", points: points))).StatusCode);
        var data = await session.ReceiveAsync("data");
        Assert.Equal(3, data.GetProperty("classes").GetArrayLength());
        Assert.Equal(4 * 4, Convert.FromBase64String(data.GetProperty("train").GetProperty("y").GetString()!).Length);
        Assert.Equal("", data.GetProperty("test").GetProperty("y").GetString());
        var frame = await session.FrameAsync();
        Assert.False(frame.TryGetProperty("testLoss", out _)); // no test rows: no test loss
    }

    [Fact]
    public async Task TheSessionEndsWithItsSocket()
    {
        await using var host = await TestServerHost.StartAsync(new PlaygroundLimits { MaxSessions = 1 });
        var session = await host.OpenSessionAsync();
        await session.Configure(Config());
        await session.Post("/play");
        await session.DisposeAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await session.Post("/pause")).StatusCode != HttpStatusCode.NotFound) await Task.Delay(20, timeout.Token);
        await using var next = await host.OpenSessionAsync(); // its place is free again
        Assert.NotEqual(session.Id, next.Id);
    }

    [Fact]
    public async Task TheDigitModelTrainsAtStartAndReadsATestDigit()
    {
        await using var host = await TestServerHost.StartAsync(digits: true);
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        JsonElement info;
        do
        {
            info = JsonDocument.Parse(await host.Client.GetStringAsync("/api/digits")).RootElement;
            if (info.GetProperty("state").GetString() == "training") await Task.Delay(100, timeout.Token);
        }
        while (info.GetProperty("state").GetString() == "training");
        Assert.Equal("ready", info.GetProperty("state").GetString());
        Assert.True(info.GetProperty("accuracy").GetDouble() > 0.9);
        Assert.Equal([6, 1, 5, 5], info.GetProperty("filters").GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.True(info.GetProperty("insight").GetProperty("saliency").GetBoolean());
        Assert.True(info.GetProperty("insight").GetProperty("adversarial").GetBoolean());

        var test = Data.Datasets.Mnist.Load(Repository.Path("data", "mnist-sample"), train: false);
        for (int i = 0; i < 3; i++)
        {
            var (image, label) = test[i];
            var response = await host.Client.PostAsJsonAsync("/api/digits/predict", new { pixels = image.ToArray() });
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var result = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var probabilities = result.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(1, probabilities.Sum(), 3);
            Assert.Equal((int)label.Item(), result.RootElement.GetProperty("prediction").GetInt32());
            Assert.Equal(12, result.RootElement.GetProperty("layers").GetArrayLength());
        }

        // Saliency: scaled to a largest value of 1, and heavier on the strokes than off them.
        int flipped = 0;
        for (int i = 0; i < 5; i++)
        {
            var (image, label) = test[i];
            var pixels = image.ToArray();
            using var saliency = JsonDocument.Parse(await (await host.Client.PostAsJsonAsync("/api/digits/saliency", new { pixels })).Content.ReadAsStringAsync());
            Assert.Equal((int)label.Item(), saliency.RootElement.GetProperty("target").GetInt32());
            var map = Floats(saliency.RootElement.GetProperty("saliency"));
            Assert.Equal(784, map.Length);
            Assert.Equal(1f, map.Max());
            double inside = Enumerable.Range(0, 784).Where(p => pixels[p] > 0.2f).Average(p => map[p]);
            double outside = Enumerable.Range(0, 784).Where(p => pixels[p] <= 0.2f).Average(p => map[p]);
            Assert.True(inside > outside, $"digit {i}: saliency {inside:0.000} on the strokes, {outside:0.000} off them");

            // FGSM: every pixel within ε of the drawing and in [0, 1]; the answer names the prediction it changed.
            using var attack = JsonDocument.Parse(await (await host.Client.PostAsJsonAsync("/api/digits/adversarial", new { pixels, epsilon = 0.2 })).Content.ReadAsStringAsync());
            var moved = Floats(attack.RootElement.GetProperty("pixels"));
            Assert.All(Enumerable.Range(0, 784), p => Assert.InRange(moved[p], Math.Max(0, pixels[p] - 0.2f) - 1e-6f, Math.Min(1, pixels[p] + 0.2f) + 1e-6f));
            Assert.Equal((int)label.Item(), attack.RootElement.GetProperty("original").GetInt32());
            if (attack.RootElement.GetProperty("prediction").GetInt32() != (int)label.Item()) flipped++;
        }
        Assert.True(flipped >= 3, $"FGSM at ε = 0.2 changed {flipped} of 5 predictions");
    }

    private static float[] Floats(JsonElement base64) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Convert.FromBase64String(base64.GetString()!)).ToArray();

    [Fact]
    public async Task TheGraphGivesTheLecturesValuesAndGradients()
    {
        await using var host = await TestServerHost.StartAsync();
        var response = await host.Client.PostAsJsonAsync("/api/graph", new { graph = "sum-product" });
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var nodes = doc.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
        Assert.Equal([-2.0, 5, -4, 3, -12], new[] { "x", "y", "z", "q", "f" }.Select(n => nodes[n].GetProperty("value").GetDouble()));
        Assert.Equal([-4.0, -4, 3, -4, 1], new[] { "x", "y", "z", "q", "f" }.Select(n => nodes[n].GetProperty("grad").GetDouble()));
        Assert.Equal([-4.0, 3], nodes["f"].GetProperty("local").EnumerateArray().Select(e => e.GetDouble()));

        var neuron = await host.Client.PostAsJsonAsync("/api/graph", new { graph = "neuron", values = new { x0 = 0.5f } });
        using var n2 = JsonDocument.Parse(await neuron.Content.ReadAsStringAsync());
        var all = n2.RootElement.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("id").GetString()!);
        foreach (var leaf in n2.RootElement.GetProperty("autograd").EnumerateObject())
            Assert.Equal(leaf.Value.GetDouble(), all[leaf.Name].GetProperty("grad").GetDouble(), 6);
        Assert.Equal(0.5, all["x0"].GetProperty("value").GetDouble());
    }
}
