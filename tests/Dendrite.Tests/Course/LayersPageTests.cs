using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>Page 03 (docs/course/03-layers.md): matrix notation, parameter counts, the collapse of linear layers, XOR.</summary>
[Collection(DotnetRunCollection.Name)]
public class LayersPageTests
{
    private static readonly Lazy<string> Output = new(() => DotnetRun.Program("examples/course/03-layers.cs", release: true));

    private static double Value(string label) => DotnetRun.Number(DotnetRun.Line(Output.Value, label), label);

    [Fact]
    public void MatrixNotationMatchesTheLayer()
    {
        Assert.StartsWith("W⁽¹⁾ shape for d = 4 inputs and m = 3 units: [3, 4] ", DotnetRun.Line(Output.Value, "W⁽¹⁾ shape"));
        Assert.StartsWith("h shape: [3] ", DotnetRun.Line(Output.Value, "h shape:"));
        Assert.True(Value("max |Linear + Sigmoid − σ(W x + b)|:") < 1e-6);
        Assert.Equal(25, Value("parameters of 2 → 3 → 3 → 1:"));
    }

    [Fact]
    public void TwoLinearLayersAreOne()
    {
        // Float rounding only: the merged layer computes the same affine map.
        Assert.True(Value("max |two linear layers − one merged layer| over 100 inputs:") < 1e-5);
    }

    [Fact]
    public void XorNeedsTheNonLinearity()
    {
        Assert.Equal(4, Value("XOR, 2 → 2 (tanh) → 1, correct of 4:"));
        Assert.True(Value("XOR, 2 → 2 (no activation) → 1, correct of 4:") <= 3);
        var losses = DotnetRun.Line(Output.Value, "final loss with tanh");
        Assert.True(DotnetRun.Number(losses, "with tanh") < 0.05, losses);
        // A linear model can do no better on XOR than ln 2 = 0.6931 under the binary cross-entropy (p = ½ everywhere).
        Assert.True(DotnetRun.Number(losses, "without") > 0.69, losses);
    }
}
