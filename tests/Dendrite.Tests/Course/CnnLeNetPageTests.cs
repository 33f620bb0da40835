using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>examples/course/08-cnn-lenet.cs against the lectures and LeNet-5 (docs/course/08-cnn-lenet.md).</summary>
[Collection(DotnetRunCollection.Name)]
public class CnnLeNetPageTests
{
    private static readonly Lazy<WorkedNumbers> Output = new(() => WorkedNumbers.Run("08-cnn-lenet.cs"));

    [Fact]
    public void ConvolutionAndPoolingOfTheSmallExamples()
    {
        var o = Output.Value.Output;
        // The [-1 0 1] filter over a dark-to-bright step: 3 where the window straddles the step, 0 elsewhere.
        Assert.Contains("    0   3   3   0\n    0   3   3   0\n    0   3   3   0\n    0   3   3   0", o.Replace("\r", ""));
        Assert.Contains("output row 0, column 1 by the sum of products: 3 (Conv2d: 3)", o);
        Assert.Contains("its 2x2 max pooling:\n    6   2\n    3   8", o.Replace("\r", ""));
    }

    [Theory]
    [InlineData("C1", "[6, 28, 28]")]
    [InlineData("S2", "[6, 14, 14]")]
    [InlineData("C3", "[16, 10, 10]")]
    [InlineData("S4", "[16, 5, 5]")]
    [InlineData("C5", "[120]")]
    [InlineData("F6", "[84]")]
    [InlineData("F7", "[10]")]
    public void LeNetLayerSizesAreLeNet5s(string layer, string shape) =>
        Assert.Equal($"LeNet-5 {layer} output {shape} (LeCun 1998: {shape})", DotnetRun.Line(Output.Value.Output, $"LeNet-5 {layer} output"));

    [Fact]
    public void LeNetParameterCounts()
    {
        var o = Output.Value;
        // C1: 6·(5·5 + 1); C5: 120·(400 + 1); F6: 84·(120 + 1) — as in LeCun et al. 1998.
        o.Check("LeNet-5 C1 parameters", 156, 0);
        o.Check("LeNet-5 C5 parameters", 48120, 0);
        o.Check("LeNet-5 F6 parameters", 10164, 0);
        // C3 connects all 6 input maps (16·(6·25 + 1)); the paper's partial table gives 1,516.
        Assert.Equal(2416, o["LeNet-5 C3 parameters"]);
        Assert.Equal(1516, o.Lecture("LeNet-5 C3 parameters"));
        Assert.Equal(61706, o["LeNet-5 parameters in all"]);
        Assert.Contains("C1 as a dense layer would need 4,821,600 parameters instead of 156", o.Output);
    }

    [Fact]
    public void BriefTrainingReadsMostDigits()
    {
        // Two epochs of Adam from seed 0 measured 0.92 on the 2,000 test digits; far above chance (0.1).
        double accuracy = DotnetRun.Number(DotnetRun.Line(Output.Value.Output, "LeNet-5 test accuracy"), "after 2 epochs:");
        Assert.InRange(accuracy, 0.85, 1.0);
        Assert.Contains("feature maps of test digit 0 (label 7)", Output.Value.Output);
    }

    [Fact]
    public void WritesFiltersAndFeatureMaps()
    {
        var folder = DotnetRun.Line(Output.Value.Output, "figures:")["figures:".Length..].Trim();
        foreach (var name in new[] { "08-filters.png", "08-digit.png", "08-feature-maps-c1.png", "08-feature-maps-c3.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, name));
            Assert.True(bytes.Length > 100 && bytes[1] == (byte)'P' && bytes[2] == (byte)'N' && bytes[3] == (byte)'G', name);
        }
    }
}
