using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>examples/course/07-backpropagation.cs against the lectures (docs/course/07-backpropagation.md).</summary>
[Collection(DotnetRunCollection.Name)]
public class BackpropagationPageTests
{
    private static readonly Lazy<WorkedNumbers> Output = new(() => WorkedNumbers.Run("07-backpropagation.cs"));

    [Fact]
    public void GraphOfXPlusYTimesZHasTheLecturesGradients()
    {
        // Lecture 004: at x, y, z = −2, 5, −4, ∂f/∂q = −4, ∂f/∂x = −4, ∂f/∂y = −4, ∂f/∂z = 3 (and q = 3, f = −12).
        var o = Output.Value;
        o.Check("f = (x + y)z, q", 3, 1e-6);
        o.Check("f = (x + y)z, f", -12, 1e-6);
        o.Check("f = (x + y)z, df/dq", -4, 1e-6);
        o.Check("f = (x + y)z, df/dx", -4, 1e-6);
        o.Check("f = (x + y)z, df/dy", -4, 1e-6);
        o.Check("f = (x + y)z, df/dz", 3, 1e-6);
    }

    [Fact]
    public void SigmoidCircuitMatchesTheGateTableAndTheClosedForm()
    {
        // Lecture 000's neuron: g(1 + 3·(−1) − 2·2) = g(−6) ≈ 0.002. Lecture 004: dσ/dx = (1 − σ)σ, and the gates'
        // local gradients 1 (c + x), eˣ (exp), a (ax), −1/x² (1/x).
        var o = Output.Value;
        double s = 1 / (1 + Math.Exp(6)), local = s * (1 - s);
        o.Check("sigmoid circuit, a", -6, 1e-6);
        o.Check("sigmoid circuit, exp(-a)", Math.Exp(6), 0.01);
        o.Check("sigmoid circuit, y = sigma(-6)", 0.00247, 0.000005);
        o.Check("sigmoid circuit, dy/d(1 + exp(-a))", -s * s, 0.001e-6);
        o.Check("sigmoid circuit, dy/d(exp(-a))", -s * s, 0.001e-6);
        o.Check("sigmoid circuit, dy/d(-a)", -local, 1e-6);
        o.Check("sigmoid circuit, dy/da", local, 1e-6);
        o.Check("sigmoid circuit, dy/dtheta0", local, 1e-6);
        o.Check("sigmoid circuit, dy/dtheta1", -local, 1e-6);
        o.Check("sigmoid circuit, dy/dtheta2", 2 * local, 1e-6);
        o.Check("sigmoid circuit, dy/dx1", 3 * local, 1e-6);
        o.Check("sigmoid circuit, dy/dx2", -2 * local, 1e-6);
    }

    [Fact]
    public void DeltaRuleGradientIsTheLecturesFormula()
    {
        // Lecture 001: data, targets and w = (1, −1, 1); dE/dw_p = 2·x_p·(y − t)·(1 − y)·y with y = σ(w·x).
        double[,] x = { { 1.0, 0.1, -0.2 }, { 1.0, -0.1, 0.9 }, { 1.0, 1.2, 0.1 }, { 1.0, 1.1, 1.5 } };
        double[] t = [0, 0, 0, 1];
        var o = Output.Value;
        double[] bce = new double[3];
        for (int n = 0; n < 4; n++)
        {
            double y = 1 / (1 + Math.Exp(-(x[n, 0] - x[n, 1] + x[n, 2])));
            for (int p = 0; p < 3; p++)
            {
                o.Check($"delta rule, sample {n + 1} dE/dw{p}", 2 * x[n, p] * (y - t[n]) * (1 - y) * y, 2e-6);
                bce[p] += (y - t[n]) * x[n, p] / 4;   // lectures 002 and 004: (ŷ − y)·x for sigmoid + BCE
            }
        }
        for (int p = 0; p < 3; p++) o.Check($"sigmoid + BCE, dL/dw{p}", bce[p], 2e-6);
        // Lecture 002: ∂l/∂x = (ŷ − y)·w, on sample 1 (ŷ = σ(0.7), y = 0, w = (1, −1, 1)).
        double first = 1 / (1 + Math.Exp(-0.7));
        o.Check("sigmoid + BCE, sample 1 dl/dx1", -first, 2e-6);
        o.Check("sigmoid + BCE, sample 1 dl/dx2", first, 2e-6);
    }

    [Fact]
    public void DeltaRecursionByHandEqualsAutograd()
    {
        var o = Output.Value;
        o.Check("delta recursion, largest |by hand - autograd| over 28 parameters", 0, 1e-6);
        Assert.Equal(o.Lecture("delta recursion, dL/dw1[3] = (a[3] - y) a1[2]"), o["delta recursion, dL/dw1[3] = (a[3] - y) a1[2]"], 6);
        Assert.NotEqual(0, o["delta recursion, dL/dw1[3] = (a[3] - y) a1[2]"]);
        // Lecture 002's first-layer gradient, (ŷ − y)·w11(2)·a11(1 − a11)·x1, from autograd and from the formula.
        string twoLayers = "two layers, dl/dw11(1) = (y^ - y) w11(2) a11 (1 - a11) x1";
        Assert.NotEqual(0, o[twoLayers]);
        Assert.True(Math.Abs(o[twoLayers] - o.Lecture(twoLayers)) <= 1e-4 * Math.Abs(o.Lecture(twoLayers)), $"{o[twoLayers]} against {o.Lecture(twoLayers)}");
        o.CheckAllAgree(absolute: 2e-6, relative: 1e-4);
    }

    [Fact]
    public void DrawsBothGraphsWithValuesAndGradients()
    {
        var folder = DotnetRun.Line(Output.Value.Output, "figures:")["figures:".Length..].Trim();
        var fxyz = File.ReadAllText(Path.Combine(folder, "07-graph-fxyz.svg"));
        Assert.StartsWith("<svg", fxyz);
        foreach (var text in new[] { "value -12", "value 3", "grad -4", "grad 3" }) Assert.Contains(text, fxyz);
        var circuit = File.ReadAllText(Path.Combine(folder, "07-sigmoid-circuit.svg"));
        foreach (var text in new[] { "ExpBackward", "NegBackward", "DivBackward", "value 403.4", "grad 0.002467" }) Assert.Contains(text, circuit);
    }
}
