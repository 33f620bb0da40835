using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Course;

/// <summary>
/// examples/course/09-why-gemm.cs (docs/course/09-why-gemm.md): the im2col shapes of LeNet-5's convolutions and the
/// convolution as one GEMM equal to Conv2d. The GFLOP/s it prints are never checked (no timing in a unit test).
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class WhyGemmPageTests
{
    private static readonly Lazy<WorkedNumbers> Output = new(() => WorkedNumbers.Run("09-why-gemm.cs"));

    [Fact]
    public void LinearIsOneGemm()
    {
        var o = Output.Value.Output;
        Assert.Contains("one GEMM of [64, 784] x [784, 256] -> [64, 256]", o);
        Assert.InRange(DotnetRun.Number(DotnetRun.Line(o, "Linear as X W^T + b"), "largest difference:"), 0, 1e-5);
    }

    [Theory]
    [InlineData("C1", 25, 784, "im2col C1 filter matrix: [6, 25], product: [6, 784] -> output [6, 28, 28]")]
    [InlineData("C3", 150, 100, "im2col C3 filter matrix: [16, 150], product: [16, 100] -> output [16, 10, 10]")]
    public void Im2ColShapesOfLeNetsConvolutions(string layer, int rows, int columns, string product)
    {
        // Rows: C·k·k (1·5·5 and 6·5·5); columns: one per output position (28·28 and 10·10).
        var o = Output.Value;
        o.Check($"im2col {layer} matrix rows (C*k*k)", rows, 0);
        o.Check($"im2col {layer} matrix columns (Hout*Wout)", columns, 0);
        Assert.Contains(product, o.Output);
    }

    [Theory]
    [InlineData("C1")]
    [InlineData("C3")]
    public void ConvolutionAsGemmEqualsConv2d(string layer) =>
        Assert.InRange(DotnetRun.Number(DotnetRun.Line(Output.Value.Output, $"im2col {layer} GEMM against Conv2d"), "largest difference:"), 0, 1e-5);

    [Fact]
    public void PrintsMeasuredSpeedsAndThePictureShape()
    {
        var o = Output.Value.Output;
        Assert.Contains("im2col C1 for a batch of 64: [25, 50176]", o);
        Assert.Contains("im2col picture: input [14, 14], 3x3 patches -> matrix [9, 144]", o);
        // Only that a speed was measured and printed: its value depends on the machine and its load.
        Assert.True(DotnetRun.Number(DotnetRun.Line(o, "GEMM 1024x1024 by 1024x1024"), "1024x1024:") > 0);
        Assert.True(DotnetRun.Number(DotnetRun.Line(o, "triple loop 256x256"), "256x256:") > 0);
    }
}
