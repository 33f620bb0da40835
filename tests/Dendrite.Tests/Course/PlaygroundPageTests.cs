using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>
/// examples/course/11-playground.cs (docs/course/11-playground.md): the playground experiments the page suggests,
/// run in code, show what the lectures say they show.
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class PlaygroundPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/11-playground.cs", release: true));

    private static double Accuracy(string title) => DotnetRun.Number(DotnetRun.Line(Output.Value, title + ":"), "test accuracy");

    [Fact]
    public void XorNeedsAHiddenLayerOrTheProductFeature()
    {
        // Lectures 000-002: one neuron draws one line, which cannot separate XOR; a hidden layer, or the feature
        // map Φ(x₁, x₂) = (x₁, x₂, x₁x₂), can. Measured 0.536, 0.924 and 1.000.
        Assert.True(Accuracy("xor, features x1 x2, no hidden layer") < 0.75, Output.Value);
        Assert.True(Accuracy("xor, features x1 x2, one hidden layer of 4") >= 0.88, Output.Value);
        Assert.True(Accuracy("xor, features x1 x2 x1x2, no hidden layer") >= 0.97, Output.Value);
    }

    [Fact]
    public void CircleIsLinearInTheSquares()
    {
        // Measured 0.348 and 1.000.
        Assert.True(Accuracy("circle, features x1 x2, no hidden layer") < 0.75, Output.Value);
        Assert.True(Accuracy("circle, features x1sq x2sq, no hidden layer") >= 0.97, Output.Value);
    }

    [Fact]
    public void SpiralWithTwoHiddenLayers() =>
        Assert.True(Accuracy("spiral, features x1 x2, two hidden layers of 16") >= 0.9, Output.Value);   // measured 0.984

    [Fact]
    public void EveryExperimentNamesItsPlaygroundLink()
    {
        var lines = Output.Value.Split('\n').Where(l => l.Contains("test accuracy", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, lines.Count);
        Assert.All(lines, l => Assert.Contains("(playground: http://localhost:7070/#dataset=", l));
        var folder = DotnetRun.Line(Output.Value, "figures:")["figures:".Length..].Trim();
        Assert.True(new FileInfo(Path.Combine(folder, "11-experiments.png")).Length > 1000);
    }
}
