using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 01 (docs/course/01-perceptron.md): its program's worked numbers against the lectures'.</summary>
[Collection(DotnetRunCollection.Name)]
public class PerceptronPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/01-perceptron.cs", release: true));

    private static double Value(string label) => DotnetRun.Number(DotnetRun.Line(Output.Value, label), label);

    [Fact]
    public void TheLecturesNeuronGivesSigmoidOfMinusSix()
    {
        Assert.Equal(-6, Value("z = 1 + 3·(−1) − 2·2:"));
        // The lecture rounds to 0.002; σ(−6) = 0.0024726.
        Assert.Equal(0.00247, Value("ŷ = σ(−6):"), 5);
        Assert.Equal(0, Value("ŷ with a step activation, step(−6):"));
    }

    [Fact]
    public void ThePerceptronRuleLearnsAndAndOrButNotXor()
    {
        Assert.Equal(4, Value("AND, perceptron rule, correct of 4:"));
        Assert.Equal(4, Value("OR, perceptron rule, correct of 4:"));
        Assert.True(Value("XOR, perceptron rule after 1000 epochs, correct of 4:") <= 3);
        // The first mistake on AND (x = (1, 1), t = 1, y = 0) moves w and b by η = 0.1.
        Assert.Contains("AND epoch 1, x = (1, 1), t = 1, y = 0 → w = (0.1, 0.1), b = 0.1", Output.Value);
    }

    [Fact]
    public void TheFeatureMapMakesXorSeparable()
    {
        Assert.Contains("Φ(1, 1): (1, 1, 1)", Output.Value);
        Assert.Equal(4, Value("XOR after Φ, perceptron rule, correct of 4:"));
    }
}
