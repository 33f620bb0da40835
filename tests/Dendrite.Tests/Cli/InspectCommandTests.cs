using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dendrite.Cli;
using Dendrite.Data.Formats;
using Dendrite.Tests.Data;

namespace Dendrite.Tests.Cli;

/// <summary>A LeNet-5 trained for one epoch by <c>dendrite train</c>, shared by the inspect tests.</summary>
public sealed class InspectedLeNet : IDisposable
{
    public InspectedLeNet()
    {
        var r = InspectCommandTests.Run("train", "--model", "lenet5", "--data", TestData.MnistSample, "--epochs", "1", "--optimizer", "adam",
            "--lr", "0.002", "--seed", "1", "--out", dir.Path);
        if (r.Code != 0) throw new InvalidOperationException("training failed: " + r.Err);
    }

    private readonly TempDir dir = new();

    public string ModelFile => dir.File("model.safetensors");

    public void Dispose() => dir.Dispose();
}

/// <summary><c>dendrite inspect</c>, run in-process on a freshly trained LeNet-5 and on a small 2-D MLP.</summary>
public sealed class InspectCommandTests(InspectedLeNet lenet) : IClassFixture<InspectedLeNet>, IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void WritesASelfContainedReportAndSaneFigures()
    {
        string html = dir.File("report.html"), json = dir.File("report.json");
        var r = Run("inspect", "--model", lenet.ModelFile, "--data", TestData.MnistSample, "--out", html, "--json", json);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("wrote", r.Out);
        Assert.Equal("", r.Err);
        string text = File.ReadAllText(html);
        // Nothing fetched from anywhere: no URL in any src or href, no external style sheet or script.
        Assert.DoesNotMatch(new Regex(@"(src|href)\s*=\s*[""']?\s*(https?:)?//", RegexOptions.IgnoreCase), text);
        Assert.DoesNotContain("<script", text);
        Assert.DoesNotContain("<link", text);
        foreach (var id in new[] { "filters", "activations", "distributions", "attributions", "maxima", "robustness", "graph" })
            Assert.Contains($"<section id=\"{id}\">", text);
        // Every picture is an inline PNG that decodes.
        var pngs = Regex.Matches(text, "src=\"data:image/png;base64,([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.True(pngs.Count > 40, $"only {pngs.Count} pictures");
        foreach (var png in pngs) Assert.True(Png.Decode(Convert.FromBase64String(png)).Width > 0);
        Assert.Equal(Regex.Matches(text, "<section").Count, Regex.Matches(text, "</section>").Count);

        using var doc = JsonDocument.Parse(File.ReadAllBytes(json));
        var root = doc.RootElement;
        Assert.Equal(250, root.GetProperty("samples").GetInt32());
        double accuracy = root.GetProperty("accuracy").GetDouble();
        Assert.InRange(accuracy, 0.8, 1.0);
        Assert.Equal(["0", "3"], root.GetProperty("filters").EnumerateArray().Select(f => f.GetProperty("layer").GetString()));
        var curves = root.GetProperty("robustness").EnumerateArray().ToDictionary(
            c => c.GetProperty("attack").GetString()!,
            c => c.GetProperty("points").EnumerateArray().Select(p => (E: p.GetProperty("epsilon").GetDouble(), A: p.GetProperty("accuracy").GetDouble())).ToList());
        Assert.Equal(["FGSM", "PGD-10 L∞"], curves.Keys);
        foreach (var curve in curves.Values)
        {
            Assert.Equal(7, curve.Count);
            Assert.Equal(0.3, doc.RootElement.GetProperty("robustness")[0].GetProperty("points")[6].GetProperty("epsilon_fraction").GetDouble(), 5);
            Assert.Equal((0.0, accuracy), (curve[0].E, curve[0].A), new Near());
            Assert.True(curve[^1].A < curve[0].A / 2, $"accuracy {curve[^1].A} at ε = {curve[^1].E}");
        }
        // PGD is the stronger attack at every ε > 0 (never weaker by more than a sample).
        for (int i = 1; i < 7; i++) Assert.True(curves["PGD-10 L∞"][i].A <= curves["FGSM"][i].A + 1.0 / 250);
        Assert.Equal(3, root.GetProperty("examples").GetArrayLength());
        var stats = root.GetProperty("activation_stats").EnumerateArray().ToList();
        Assert.Equal(12, stats.Count);
        foreach (var relu in stats.Where(st => st.GetProperty("type").GetString() == "ReLU"))
        {
            Assert.InRange(relu.GetProperty("dead_fraction").GetDouble(), 0, 0.5);
            Assert.Equal(0, relu.GetProperty("min").GetDouble());
            Assert.Equal(40, relu.GetProperty("counts").GetArrayLength());
        }
        var maxima = root.GetProperty("maximum_response").EnumerateArray().Select(m => m.GetProperty("probability").GetDouble()).ToList();
        Assert.Equal(10, maxima.Count);
        Assert.True(maxima.Count(p => p > 0.5) >= 8, $"maximum-response probabilities {string.Join(", ", maxima)}");
        Assert.True(root.GetProperty("seconds").GetProperty("total").GetDouble() > 0);
    }

    [Fact]
    public void LooksAtAGivenImageFirst()
    {
        // Test digit 0 written as a PNG, then inspected as --input.
        var digit = Dendrite.Data.Datasets.Mnist.Load(TestData.MnistSample, train: false).Inputs[0];
        string png = dir.File("digit.png"), html = dir.File("r.html");
        File.WriteAllBytes(png, Png.Encode(digit));
        var r = Run("inspect", "--model", lenet.ModelFile, "--data", TestData.MnistSample, "--input", png, "--out", html,
            "--samples", "40", "--examples", "1", "--epsilons", "0,0.1");
        Assert.True(r.Code == 0, r.Err);
        string text = File.ReadAllText(html);
        Assert.Contains("<h3>digit.png: predicted <b>", text);
        Assert.True(text.IndexOf("digit.png", StringComparison.Ordinal) < text.IndexOf("<h3>test sample", StringComparison.Ordinal));
    }

    [Fact]
    public void BadInputIsOneLineAndWritesNothing()
    {
        string html = dir.File("bad.html");
        var r = Run("inspect", "--model", lenet.ModelFile, "--data", TestData.MnistSample, "--out", html, "--epsilons", "0,-0.1");
        Assert.Equal(2, r.Code);
        Assert.Contains("ε must not be negative", r.Err);
        r = Run("inspect", "--model", dir.File("none.safetensors"), "--data", TestData.MnistSample, "--out", html);
        Assert.Equal(1, r.Code);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("dendrite: error: ", r.Err);
        Assert.False(File.Exists(html));
    }

    [Fact]
    public void AnMlpOnPointsGetsADecisionBoundaryAndNoFilters()
    {
        // Two Gaussian blobs in the plane, an MLP trained on them, and an image given to a model that takes points.
        var g = new Generator(5);
        var csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 200; i++)
        {
            int c = i % 2;
            csv.Append(CultureInfo.InvariantCulture, $"{(c == 0 ? -1 : 1) + 0.4 * g.NextNormal():0.###},{0.4 * g.NextNormal():0.###},{(c == 0 ? "left" : "right")}\n");
        }
        string data = dir.File("blobs.csv"), run = dir.File("mlp"), html = dir.File("mlp.html");
        File.WriteAllText(data, csv.ToString());
        var r = Run("train", "--model", "mlp:8", "--data", data, "--target", "label", "--epochs", "20", "--optimizer", "adam", "--lr", "0.05", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        string model = Path.Combine(run, "model.safetensors");
        r = Run("inspect", "--model", model, "--data", data, "--out", html, "--samples", "100");
        Assert.True(r.Code == 0, r.Err);
        string text = File.ReadAllText(html);
        Assert.Contains("<section id=\"boundary\">", text);
        Assert.DoesNotContain("<section id=\"filters\">", text);

        string png = dir.File("digit.png");
        File.WriteAllBytes(png, Png.Encode(Tensor.Zeros(1, 4, 4)));
        r = Run("inspect", "--model", model, "--data", data, "--input", png, "--out", dir.File("no.html"));
        Assert.Equal(1, r.Code);
        Assert.Contains("is not an image", r.Err);
        Assert.False(File.Exists(dir.File("no.html")));
    }

    private sealed class Near : IEqualityComparer<(double, double)>
    {
        public bool Equals((double, double) a, (double, double) b) => Math.Abs(a.Item1 - b.Item1) < 1e-6 && Math.Abs(a.Item2 - b.Item2) < 1e-6;

        public int GetHashCode((double, double) obj) => 0;
    }
}
