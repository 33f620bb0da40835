using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 02 (docs/course/02-activations.md): activations and autograd's derivatives against the lectures' formulas.</summary>
[Collection(DotnetRunCollection.Name)]
public class ActivationsPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/02-activations.cs", release: true));

    private static string Line(string label) => DotnetRun.Line(Output.Value, label);

    /// <summary>Dendrite's value and the lecture's closed form on a line "label: V (lecture: formula = W)".</summary>
    private static (double Dendrite, double Lecture) Pair(string label)
    {
        var line = Line(label);
        var match = Regex.Match(line, Regex.Escape(label) + @" (-?[0-9.]+) \(lecture: .* = (-?[0-9.]+)\)$");
        Assert.True(match.Success, line);
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), double.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture));
    }

    [Fact]
    public void SigmoidAndItsDerivative()
    {
        Assert.Equal(0.00247, DotnetRun.Number(Line("σ(−6):"), "σ(−6):"), 5);
        Assert.Equal(0.5, DotnetRun.Number(Line("σ(0):"), "σ(0):"), 4);
        foreach (var label in new[] { "σ′(−6) by autograd:", "σ′(2) by autograd:" })
        {
            var (dendrite, lecture) = Pair(label);
            Assert.Equal(lecture, dendrite, 6);
        }
        // σ′(2) = σ(2)(1 − σ(2)) = 0.104994 in exact arithmetic.
        Assert.Equal(0.104994, Pair("σ′(2) by autograd:").Dendrite, 5);
    }

    [Fact]
    public void TanhAndItsDerivative()
    {
        var (tanh, formula) = Pair("tanh(1):");
        Assert.Equal(formula, tanh, 6);
        Assert.Equal(Math.Tanh(1), tanh, 5);
        Assert.Equal(1 - Math.Tanh(1) * Math.Tanh(1), Pair("tanh′(1) by autograd:").Dendrite, 5);
        Assert.Equal(1 - Math.Tanh(-0.5) * Math.Tanh(-0.5), Pair("tanh′(−0.5) by autograd:").Dendrite, 5);
    }

    [Fact]
    public void ReluLeakyReluStepAndMaxout()
    {
        Assert.StartsWith("ReLU(−2), ReLU(0), ReLU(3): 0, 0, 3 ", Line("ReLU(−2)"));
        Assert.StartsWith("ReLU′(−2), ReLU′(0), ReLU′(3) by autograd: 0, 0, 1 ", Line("ReLU′(−2)"));
        Assert.StartsWith("leaky ReLU(−2), leaky ReLU(3): -0.2, 3.0 ", Line("leaky ReLU(−2)"));
        Assert.StartsWith("leaky ReLU′(−2), leaky ReLU′(3) by autograd: 0.1, 1.0 ", Line("leaky ReLU′(−2)"));
        Assert.StartsWith("step(−1), step(0), step(1): 0, 0, 1 ", Line("step(−1)"));
        Assert.StartsWith("step′ by autograd: refused ", Line("step′ by autograd:"));
        Assert.StartsWith("maxout(z, 0.1z) at −2 and 3: -0.2, 3.0 ", Line("maxout(z, 0.1z)"));
        Assert.StartsWith("maxout′ by autograd at −2 and 3: 0.1, 1.0 ", Line("maxout′ by autograd"));
    }
}
