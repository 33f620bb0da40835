using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 04 (docs/course/04-softmax-and-outputs.md): softmax of the lecture's scores, stability, output layers.</summary>
[Collection(DotnetRunCollection.Name)]
public class SoftmaxPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/04-softmax-and-outputs.cs", release: true));

    private static double[] Numbers(string text) =>
        [.. Regex.Matches(text, @"-?[0-9]+\.[0-9]+").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture))];

    [Fact]
    public void SoftmaxOfTheLecturesScores()
    {
        double sum = Math.Exp(3.6) + Math.Exp(2.6) + Math.Exp(-3.0);
        foreach (var (animal, score) in new[] { ("dog", 3.6), ("cat", 2.6), ("pig", -3.0) })
        {
            var values = Numbers(DotnetRun.Line(Output.Value, $"softmax(3.6, 2.6, −3.0), {animal}:").Split(':')[1]);
            Assert.Equal(Math.Exp(score) / sum, values[0], 4);
            Assert.Equal(values[^1], values[0], 4);
        }
        Assert.Equal(1, DotnetRun.Number(DotnetRun.Line(Output.Value, "sum of the three probabilities:"), "probabilities:"), 4);
    }

    [Fact]
    public void SoftmaxIgnoresShiftsAndDoesNotOverflow()
    {
        var shifted = DotnetRun.Line(Output.Value, "softmax of the scores + 100:").Split("(lecture:");
        Assert.Equal(Numbers(shifted[1]), Numbers(shifted[0].Split(':')[1]));
        var huge = Numbers(DotnetRun.Line(Output.Value, "softmax(1000, 1001, 1002):").Split("(lecture:")[0].Split(':')[1]);
        double z = 1 + Math.E + Math.E * Math.E;
        Assert.Equal([1 / z, Math.E / z, Math.E * Math.E / z], huge.Select(v => v), new Tolerance(1e-4));
        Assert.StartsWith("softmax(ln 0.01, ln 0.97, ln 0.02): (0.01, 0.97, 0.02) ", DotnetRun.Line(Output.Value, "softmax(ln 0.01"));
    }

    [Fact]
    public void MultiClassAndMultiLabelOutputs()
    {
        var sigmoids = DotnetRun.Line(Output.Value, "sigmoid per output:");
        Assert.True(DotnetRun.Number(sigmoids, "sum") > 1.5, sigmoids);
        Assert.True(DotnetRun.Number(DotnetRun.Line(Output.Value, "multi-class, 3 clouds"), "accuracy") > 95);
        var labels = DotnetRun.Line(Output.Value, "multi-label, 2 labels");
        Assert.True(DotnetRun.Number(labels, "labels right") > 95, labels);
        // Roughly a quarter of 200 points lie in the quadrant where both labels are on.
        Assert.InRange(DotnetRun.Number(labels, "points given both labels"), 30, 70);
    }

    private sealed class Tolerance(double epsilon) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= epsilon;
        public int GetHashCode(double value) => 0;
    }
}
