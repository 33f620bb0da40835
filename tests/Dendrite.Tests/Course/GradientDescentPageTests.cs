using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 06 (docs/course/06-gradient-descent.md): the update rule, learning rates, batch sizes.</summary>
[Collection(DotnetRunCollection.Name)]
public class GradientDescentPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/06-gradient-descent.cs", release: true));

    private static double[] Numbers(string text) =>
        [.. Regex.Matches(text, @"-?[0-9]+\.[0-9]+").Select(m => double.Parse(m.Value, CultureInfo.InvariantCulture))];

    [Fact]
    public void OneSgdStepIsTheLecturesRule()
    {
        var line = DotnetRun.Line(Output.Value, "w after one Sgd step, α = 0.5:");
        var parts = line.Split("(lecture:");
        // The last three numbers before "(lecture:" are Sgd's weights (the first is α); the last three after it, the rule's.
        var (sgd, rule) = (Numbers(parts[0]), Numbers(parts[1]));
        Assert.Equal(4, sgd.Length);
        Assert.Equal(rule[^3..], sgd[^3..]);
        var losses = Numbers(DotnetRun.Line(Output.Value, "loss before and after the step:"));
        // The loss before the step is the lecture's forward pass, MSE 0.3718 (page 05).
        Assert.Equal(0.3718, losses[0], 4);
        Assert.True(losses[1] < losses[0], string.Join(", ", losses));
    }

    [Fact]
    public void TooSmallCrawlsGoodConvergesTooLargeDiverges()
    {
        double Last(string lr) => Numbers(DotnetRun.Line(Output.Value, $"learning rate {lr}:"))[^1];
        double First(string lr) => Numbers(DotnetRun.Line(Output.Value, $"learning rate {lr}:"))[1];
        Assert.True(Last("0.01") < First("0.01") && Last("0.01") > 1, "α = 0.01 should fall, slowly");
        Assert.True(Last("0.3") < 0.1, "α = 0.3 should reach the noise floor");
        Assert.True(Last("1.05") > 1000 * First("1.05"), "α = 1.05 should diverge");
    }

    [Fact]
    public void SmallerBatchesTakeMoreAndNoisierSteps()
    {
        double Worse(string name) => DotnetRun.Number(DotnetRun.Line(Output.Value, name), "steps that raised the loss");
        double Final(string name) => Numbers(DotnetRun.Line(Output.Value, name).Split("→")[1])[0];
        Assert.Contains("full batch (1000): 2 steps in 2 epochs", Output.Value);
        Assert.Contains("mini-batch (32): 64 steps in 2 epochs", Output.Value);
        Assert.Contains("one sample (SGD): 2000 steps in 2 epochs", Output.Value);
        Assert.Equal(0, Worse("full batch (1000):"));
        Assert.True(Worse("one sample (SGD):") > Worse("mini-batch (32):"));
        // Per epoch, more steps get further: the full batch has taken only two.
        Assert.True(Final("mini-batch (32):") < Final("full batch (1000):"));
        Assert.True(Final("one sample (SGD):") < Final("full batch (1000):"));
    }
}
