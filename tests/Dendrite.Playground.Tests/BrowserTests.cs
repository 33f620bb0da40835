using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Dendrite.Playground.Tests;

/// <summary>
/// The page in a real browser: every check waits on a condition (never a fixed sleep) with generous timeouts,
/// and no check is about time. The heatmap rate while training the spiral is printed, for docs/performance.md.
/// </summary>
[Collection("browser")]
public sealed class BrowserTests(BrowserFixture fixture, ITestOutputHelper output)
{
    private static readonly PageWaitForFunctionOptions Patient = new() { Timeout = 180_000, PollingInterval = 100 };

    private async Task<IPage> OpenAsync(string fragment = "", string query = "")
    {
        var page = await fixture.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync(fixture.Url + query + fragment);
        await page.WaitForFunctionAsync("() => window.playgroundStats && window.playgroundStats.framesDrawn > 0", null, Patient);
        Assert.Empty(errors);
        return page;
    }

    private static Task<T> Eval<T>(IPage page, string js) => page.EvaluateAsync<T>(js);

    [Fact]
    public async Task PageLoadsWithItsSessionAndAFirstFrame()
    {
        var page = await OpenAsync();
        Assert.Equal("connected", await page.TextContentAsync("#connection"));
        Assert.Equal("000,000", await page.TextContentAsync("#epoch"));
        Assert.Equal(7, await page.Locator(".node.input").CountAsync()); // all seven 2-D features, two of them on
        Assert.Equal(6, await page.Locator(".node.neuron").CountAsync()); // 4 + 2 hidden neurons
        Assert.Contains("dataset=circle", page.Url);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SpiralWithTwoHiddenLayersTrainsTo95PercentThroughTheUi()
    {
        var page = await OpenAsync();
        await page.ClickAsync("[data-dataset=spiral]");
        await page.ClickAsync("[data-feature=sinx1]");
        await page.ClickAsync("[data-feature=sinx2]");
        for (int i = 0; i < 4; i++) await page.ClickAsync(".add-neuron[data-layer='0']");
        for (int i = 0; i < 6; i++) await page.ClickAsync(".add-neuron[data-layer='1']");
        await page.SelectOptionAsync("#optimizer", "adam");
        await page.SelectOptionAsync("#lr", "0.03");
        await page.WaitForFunctionAsync("() => { const d = window.playgroundStats.data; return d && d.layers.length === 2 && d.layers[0].neurons === 8 && d.layers[1].neurons === 8 && d.inputs.length === 4; }", null, Patient);
        Assert.Equal(2, await Eval<int>(page, "window.playgroundStats.data.layers.length"));
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => { const f = window.playgroundStats.lastFrame; return f && f.epoch > 0 && f.testAccuracy >= 0.95; }", null, Patient);
        int epoch = await Eval<int>(page, "window.playgroundStats.lastFrame.epoch");

        // The page's responsiveness while training: heatmap updates counted over 4 s of the page's own clock.
        await Eval<object>(page, "window.rate = { frames: window.playgroundStats.framesDrawn, t: performance.now() }");
        await page.WaitForFunctionAsync("() => performance.now() - window.rate.t >= 4000", null, Patient);
        double seconds = await Eval<double>(page, "(performance.now() - window.rate.t) / 1000");
        int frames = await Eval<int>(page, "window.playgroundStats.framesDrawn - window.rate.frames");
        double accuracy = double.Parse(await page.TextContentAsync("#test-accuracy") ?? "0", CultureInfo.InvariantCulture);
        Assert.True(accuracy >= 0.95, $"the page shows test accuracy {accuracy}");
        output.WriteLine(FormattableString.Invariant($"spiral 8-8 tanh, Adam 0.03: {accuracy:0.000} test accuracy at epoch {epoch}; {frames} heatmap updates in {seconds:0.0} s = {frames / seconds:0.0} per second"));
        await BrowserFixture.ScreenshotAsync(page, "playground-spiral.png");
        await page.ClickAsync("#play"); // pause
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task CsvWithThreeClassesUploadsAndTrains()
    {
        var page = await OpenAsync();
        var csv = new StringBuilder("length,width,height,kind\n");
        var random = new Random(5);
        string[] kinds = ["apple", "banana", "cherry"];
        for (int i = 0; i < 300; i++)
        {
            int k = i % 3;
            double g() => random.NextDouble() - 0.5;
            csv.Append(FormattableString.Invariant($"{2 * k + g():0.###},{3 - 1.5 * k + g():0.###},{g():0.###},{kinds[k]}\n"));
        }
        await page.SetInputFilesAsync("#csv-file", new FilePayload { Name = "fruit.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv.ToString()) });
        await page.WaitForFunctionAsync("() => { const d = window.playgroundStats.data; return d && d.inputs.length === 3; }", null, Patient);
        Assert.Contains("300 rows, 3 features, 3 classes", await page.TextContentAsync("#csv-info"));
        Assert.Equal(3, await page.Locator("#legend span").CountAsync());
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => { const f = window.playgroundStats.lastFrame; return f && f.epoch > 0 && f.testAccuracy >= 0.9; }", null, Patient);
        await BrowserFixture.ScreenshotAsync(page, "playground-csv.png");
        await page.ClickAsync("#play");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task ClickingThePlaneAddsPointsAndATwoUnitLayerShowsTheWarpedGrid()
    {
        var page = await OpenAsync();
        await page.ClickAsync("[data-dataset=points]");
        await page.WaitForFunctionAsync("() => { const d = window.playgroundStats.data; return d && d.trainRows === 4; }", null, Patient);
        var plane = (await page.Locator("#heatmap").BoundingBoxAsync())!;
        // Class 1 in the top right, class 0 in the bottom left: (x, y) of the plane's [-6, 6]² at 3/4 and 1/4.
        await page.ClickAsync("#point-classes button >> nth=1");
        foreach (var (fx, fy) in new[] { (0.8f, 0.2f), (0.7f, 0.3f), (0.85f, 0.35f) })
            await page.Mouse.ClickAsync(plane.X + fx * plane.Width, plane.Y + fy * plane.Height);
        await page.ClickAsync("#point-classes button >> nth=0");
        foreach (var (fx, fy) in new[] { (0.2f, 0.8f), (0.3f, 0.7f) })
            await page.Mouse.ClickAsync(plane.X + fx * plane.Width, plane.Y + fy * plane.Height);
        await page.WaitForFunctionAsync("() => window.playgroundStats.data.trainRows === 9", null, Patient);
        Assert.Contains("points=", page.Url);
        Assert.True(await page.IsVisibleAsync("#warp-panel"), "the default network's second layer has 2 units");
        await page.ClickAsync("#play");
        await page.WaitForFunctionAsync("() => { const f = window.playgroundStats.lastFrame; return f && f.epoch >= 50 && f.trainAccuracy === 1; }", null, Patient);
        await page.ClickAsync("#play");
        await page.SetViewportSizeAsync(1400, 1120); // the warped grid sits below the heatmap
        await BrowserFixture.ScreenshotAsync(page, "playground-points.png");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task DrawingAOneOnThePadShowsClassOneOnTop()
    {
        var page = await OpenAsync(query: "?tab=digits");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#filters canvas').length === 6", null, Patient);
        var box = (await page.Locator("#pad").BoundingBoxAsync())!;
        float x = box.X + box.Width / 2, top = box.Y + box.Height * 0.15f, bottom = box.Y + box.Height * 0.85f;
        await page.Mouse.MoveAsync(x + 8, top);
        await page.Mouse.DownAsync();
        await page.Mouse.MoveAsync(x, bottom, new MouseMoveOptions { Steps = 20 });
        await page.Mouse.UpAsync();
        await page.WaitForFunctionAsync("() => window.digitStats && window.digitStats.prediction !== null && document.querySelectorAll('#activations .layer').length > 0", null, Patient);
        Assert.Equal("1", await page.TextContentAsync("#digit-prediction"));
        Assert.Equal(12, await page.Locator("#activations .layer").CountAsync()); // every layer of LeNet-5

        // The insight panel: the saliency of class 1 over the drawing, then the FGSM image and its prediction.
        await page.CheckAsync("#saliency-toggle");
        await page.WaitForFunctionAsync("() => window.digitStats.saliency === 1 && !document.getElementById('saliency').hidden", null, Patient);
        await page.Locator("#epsilon").FillAsync("0.3");
        await page.ClickAsync("#adversarial");
        await page.WaitForFunctionAsync("() => window.digitStats.adversarial !== null", null, Patient);
        Assert.Equal(1, await page.EvaluateAsync<int>("() => window.digitStats.adversarial.original"));
        Assert.StartsWith("FGSM, ε = 0.3: 1 → ", await page.TextContentAsync("#adversarial-result p"));
        await BrowserFixture.ScreenshotAsync(page, "playground-digits.png");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SteppingThroughTheSumProductGraphGivesItsGradients()
    {
        var page = await OpenAsync(query: "?tab=graph");
        await page.WaitForSelectorAsync("#graph [data-node=f]");
        string Text(string node, string kind) => $"#graph [data-node={node}] .{kind}";
        Assert.Equal("", await page.TextContentAsync(Text("q", "value")));
        await page.ClickAsync("#graph-forward");
        Assert.Equal("value 3", await page.TextContentAsync(Text("q", "value")));
        Assert.Equal("", await page.TextContentAsync(Text("f", "value")));
        await page.ClickAsync("#graph-forward");
        Assert.Equal("value −12", await page.TextContentAsync(Text("f", "value")));
        for (int i = 0; i < 5; i++) await page.ClickAsync("#graph-backward");
        Assert.Equal("grad −4", await page.TextContentAsync(Text("x", "grad")));
        Assert.Equal("grad −4", await page.TextContentAsync(Text("y", "grad")));
        Assert.Equal("grad 3", await page.TextContentAsync(Text("z", "grad")));
        Assert.Contains("autograd's own f.Backward() agrees", await page.TextContentAsync("#graph-status"));
        await BrowserFixture.ScreenshotAsync(page, "playground-graph.png");

        // Editable values: x = 1 gives q = 6, f = −24, ∂f/∂z = 6.
        await page.FillAsync("#graph-input-x", "1");
        await page.DispatchEventAsync("#graph-input-x", "change");
        await page.WaitForFunctionAsync("() => document.querySelector('#graph-forward') && !document.querySelector('#graph-forward').disabled && document.querySelector('#graph [data-node=q] .value').textContent === ''");
        await page.ClickAsync("#graph-forward");
        await page.ClickAsync("#graph-forward");
        for (int i = 0; i < 5; i++) await page.ClickAsync("#graph-backward");
        Assert.Equal("grad 6", await page.TextContentAsync(Text("z", "grad")));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task AStateInTheUrlReloadsToTheSameNetwork()
    {
        var page = await OpenAsync();
        await page.ClickAsync("[data-dataset=xor]");
        await page.ClickAsync("#add-layer");
        await page.ClickAsync(".add-neuron[data-layer='2']");
        await page.ClickAsync("[data-feature=x1x2]");
        await page.SelectOptionAsync(".layer-activation >> nth=1", "relu");
        await page.SelectOptionAsync("#optimizer", "momentum");
        await page.WaitForFunctionAsync("() => { const d = window.playgroundStats.data; return d && d.layers.length === 3 && d.layers[2].neurons === 3 && d.inputs.length === 3 && d.layers[1].activation === 'relu'; }", null, Patient);
        await page.WaitForFunctionAsync("() => location.hash.includes('opt=momentum')", null, Patient);
        string url = page.Url;
        var first = await NetworkAsync(page);
        await page.Context.CloseAsync();

        var again = await OpenAsync(url[url.IndexOf('#')..]);
        await again.WaitForFunctionAsync("() => { const d = window.playgroundStats.data; return d && d.layers.length === 3; }", null, Patient);
        Assert.Equal(first, await NetworkAsync(again));
        Assert.Equal("momentum", await again.InputValueAsync("#optimizer"));
        Assert.Equal("true", await again.GetAttributeAsync("[data-dataset=xor]", "aria-pressed"));
        Assert.Equal(4 + 2 + 3, await again.Locator(".node.neuron").CountAsync());
        await BrowserFixture.ScreenshotAsync(again, "playground-url-state.png");
        await again.Context.CloseAsync();
    }

    /// <summary>The network as the page knows it: layers, inputs, parameter count and the epoch-0 weights.</summary>
    private static async Task<string> NetworkAsync(IPage page)
    {
        await page.WaitForFunctionAsync("() => window.playgroundStats.lastFrame && window.playgroundStats.lastFrame.epoch === 0", null, Patient);
        return await page.EvaluateAsync<string>("() => JSON.stringify([window.playgroundStats.data, window.playgroundStats.lastFrame.weights])");
    }
}
