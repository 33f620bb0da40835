namespace Dendrite.Tests.Examples;

/// <summary>
/// Runs the examples exactly as the README says (<c>dotnet run examples/NAME.cs</c>) and checks the
/// summary line each prints against its threshold. One class, so they run one after another (they build
/// the library into the same folder); the course programs join the same collection.
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class ExampleTests
{
    [Fact]
    public void XorLearnsAllFourCases()
    {
        var summary = Run("xor.cs", "xor:");
        Assert.Contains("accuracy 100", summary);
        Assert.True(Number(summary, "final loss") < 0.01, summary);
    }

    [Fact]
    public void PerceptronLearnsAndAndOrButNotXor()
    {
        var summary = Run("perceptron.cs", "perceptron:");
        Assert.Contains("AND 100", summary);
        Assert.Contains("OR 100", summary);
        Assert.DoesNotContain("XOR 100", summary);
    }

    [Fact]
    public void SpiralReachesNinetyNinePercent()
    {
        var summary = Run("spiral.cs", "spiral:");
        Assert.True(Number(summary, "training accuracy") >= 99.0, summary);
    }

    [Fact]
    public void LeNetReadsTheSampleDigits()
    {
        // The README runs this one in Release (a Debug build of the library trains LeNet several times slower).
        var summary = Run("mnist.cs", "mnist:", release: true);
        Assert.True(Number(summary, "test accuracy") >= 97.5, summary);
    }

    private static string Run(string example, string summaryPrefix, bool release = false) =>
        DotnetRun.Line(DotnetRun.Program("examples/" + example, release), summaryPrefix);

    private static double Number(string line, string label) => DotnetRun.Number(line, label);
}
