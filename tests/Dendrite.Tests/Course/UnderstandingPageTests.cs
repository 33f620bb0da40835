using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>
/// examples/course/10-understanding.cs (docs/course/10-understanding.md): lecture 000's six ways to look inside a
/// trained network, each checked for what it should show on the brief LeNet-5 of page 08.
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class UnderstandingPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/10-understanding.cs", release: true));

    private static double Value(string prefix, string label) => DotnetRun.Number(DotnetRun.Line(Output.Value, prefix), label);

    [Fact]
    public void TheModelReadsMostDigits() =>
        Assert.InRange(Value("accuracy on the first 500 test digits", "digits:"), 0.85, 1.0);

    [Fact]
    public void ActivationsOfEveryLayerAndItsDistribution()
    {
        var line = DotnetRun.Line(Output.Value, "activations of test digit 1");
        Assert.Contains("0 Conv2d [6, 28, 28]", line);
        Assert.Contains("3 Conv2d [16, 10, 10]", line);
        Assert.Contains("11 Linear [10]", line);
        // The largest logit is the predicted class, and test digit 1 is a 0 that the model reads.
        Assert.EndsWith("largest at class 0", DotnetRun.Line(Output.Value, "its logits:"));
        foreach (var layer in new[] { "1", "4", "8", "10" })
        {
            var stats = DotnetRun.Line(Output.Value, $"activation stats {layer}:");
            double dead = double.Parse(Regex.Match(stats, @"dead units ([0-9.]+) %").Groups[1].Value, CultureInfo.InvariantCulture);
            Assert.InRange(dead, 0, 100);
            Assert.True(DotnetRun.Number(stats, "mean") > 0, stats);
        }
    }

    [Fact]
    public void SaliencyLiesOnTheStroke()
    {
        var line = DotnetRun.Line(Output.Value, "saliency on the stroke:");
        double onStroke = DotnetRun.Number(line, "on the stroke:"), area = DotnetRun.Number(line, "covers");
        // The gradient of the class score is concentrated on the digit: well above the stroke's share of the image.
        Assert.True(onStroke > 1.5 * area, line);
    }

    [Fact]
    public void MaximumResponseInputsAreClassifiedAsTheirClass() =>
        Assert.True(Value("maximum-response inputs", "at least") >= 0.9, Output.Value);

    [Fact]
    public void FgsmBreaksTheModel()
    {
        double clean = Value("FGSM accuracy at epsilon 0.00", "0.00:");
        double at01 = Value("FGSM accuracy at epsilon 0.10", "0.10:");
        double at02 = Value("FGSM accuracy at epsilon 0.20", "0.20:");
        Assert.True(clean > at01 && at01 > at02, $"{clean} {at01} {at02}");
        Assert.True(at02 < clean / 2, $"{clean} {at02}");
        var line = DotnetRun.Line(Output.Value, "FGSM at 0.15 on test digits 0-7");
        var before = Regex.Match(line, "predicted before ([0-9 ]+),").Groups[1].Value;
        var after = Regex.Match(line, "after ([0-9 ]+)$").Groups[1].Value;
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void WritesEveryFigure()
    {
        var folder = DotnetRun.Line(Output.Value, "figures:")["figures:".Length..].Trim();
        foreach (var name in new[] { "10-filters-c3.png", "10-activations-s2.png", "10-activations-logits.png", "10-saliency.png", "10-max-response.png", "10-adversarial.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, name));
            Assert.True(bytes.Length > 100 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', name);
        }
        var svg = File.ReadAllText(Path.Combine(folder, "10-graph.svg"));
        Assert.StartsWith("<svg", svg);
        Assert.Contains("Conv2dBackward", svg, StringComparison.Ordinal);
    }
}
