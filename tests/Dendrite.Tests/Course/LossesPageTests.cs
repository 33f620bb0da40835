using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 05 (docs/course/05-losses.md): MSE, cross-entropy in nats and bits, BCE, hinge, regularisation.</summary>
[Collection(DotnetRunCollection.Name)]
public class LossesPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/05-losses.cs", release: true));

    private static double Value(string label) => DotnetRun.Number(DotnetRun.Line(Output.Value, label), label);

    /// <summary>Dendrite's value and the reference after the last "=" or "gives" in the lecture's parenthesis.</summary>
    private static (double Dendrite, double Reference) Pair(string label)
    {
        var line = DotnetRun.Line(Output.Value, label);
        var match = Regex.Match(line, Regex.Escape(label) + @" (-?[0-9.]+).*\(lecture: .*(?:=|gives) (-?[0-9.]+)[,)]");
        Assert.True(match.Success, line);
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void TheSecondLecturesMseAndCrossEntropy()
    {
        // The lecture's 0.98 is (0.01 − 1.0)² = 0.9801 rounded.
        Assert.Equal(0.98, Value("squared error of the first output, (0.01 − 1.0)²:"), 2);
        Assert.Equal((0.99 * 0.99 + 0.97 * 0.97 + 0.02 * 0.02) / 3, Value("MSE over all three outputs:"), 4);
        Assert.Equal(4.6052, Value("cross-entropy, natural log:"), 3);
        Assert.Equal(6.64, Value("cross-entropy in bits, nats / ln 2:"), 2);
    }

    [Fact]
    public void CrossEntropyOfTheScoresMatchesTheFormula()
    {
        foreach (var animal in new[] { "dog", "cat", "pig" })
        {
            var (dendrite, formula) = Pair($"cross-entropy if the image is a {animal}:");
            Assert.Equal(formula, dendrite, 3);
        }
        Assert.Equal(0.3143, Pair("cross-entropy if the image is a dog:").Dendrite, 3);
    }

    [Fact]
    public void TheForwardPassLossesMatchTheLecturesLoop()
    {
        foreach (var label in new[] { "MSE of the forward pass:", "BCE of the forward pass:", "BCE with logits, score 0.7, label 1:", "BCE with logits, score 0.7, label 0:" })
        {
            var (dendrite, loop) = Pair(label);
            Assert.Equal(loop, dendrite, 3);
        }
    }

    [Fact]
    public void HingeAndRegularisation()
    {
        Assert.Equal(0, Value("hinge, t = +1, y = 2:"), 6);
        Assert.Equal(0.5, Value("hinge, t = +1, y = 0.5:"), 6);
        Assert.Equal(1.5, Value("hinge, t = +1, y = −0.5:"), 6);
        Assert.Equal(1.5, Value("hinge, t = −1, y = 0.5:"), 6);
        Assert.Equal(3, Value("L2 penalty ‖w‖² of w = (1, −1, 1):"), 6);
        Assert.Equal(3, Value("L1 penalty Σ|w|:"), 6);
        Assert.Contains("by autograd: (0.1, -0.1, 0.1) ", DotnetRun.Line(Output.Value, "gradient of (λ/2)‖w‖²"));
    }
}
