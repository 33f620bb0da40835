using Dendrite.NN;

namespace Dendrite.Tests.NN;

public class InitTests
{
    private static (double Mean, double Var, float Min, float Max) Stats(Tensor t)
    {
        var v = t.ToArray();
        double mean = v.Average(x => (double)x);
        double variance = v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1);
        return (mean, variance, v.Min(), v.Max());
    }

    [Fact]
    public void FansFollowPyTorchForMatricesAndConvolutionWeights()
    {
        Assert.Equal((5, 3), Init.CalculateFanInAndFanOut(Tensor.Zeros(3, 5)));
        Assert.Equal((16 * 9, 64 * 9), Init.CalculateFanInAndFanOut(Tensor.Zeros(64, 16, 3, 3)));
        Assert.Equal((2 * 7, 6 * 7), Init.CalculateFanInAndFanOut(Tensor.Zeros(6, 2, 7)));
        var error = Assert.Throws<ArgumentException>(() => Init.CalculateFanInAndFanOut(Tensor.Zeros(5)));
        Assert.Contains("fewer than 2 dimensions (shape [5])", error.Message);
        Assert.Throws<ArgumentException>(() => Init.XavierUniform_(Tensor.Zeros(5)));
    }

    [Fact]
    public void GainsMatchTheTable()
    {
        Assert.Equal(1f, Init.CalculateGain("linear"));
        Assert.Equal(1f, Init.CalculateGain("Conv2d"));
        Assert.Equal(1f, Init.CalculateGain("sigmoid"));
        Assert.Equal(5f / 3f, Init.CalculateGain("tanh"));
        Assert.Equal(MathF.Sqrt(2f), Init.CalculateGain("relu"));
        Assert.Equal(MathF.Sqrt(2f / (1f + 0.01f * 0.01f)), Init.CalculateGain("leaky_relu"));
        Assert.Equal(MathF.Sqrt(1f / 3f), Init.CalculateGain("leaky_relu", MathF.Sqrt(5f)), 6);
        Assert.Equal(0.75f, Init.CalculateGain("selu"));
        var error = Assert.Throws<ArgumentException>(() => Init.CalculateGain("swish"));
        Assert.Contains("'swish'", error.Message);
    }

    [Fact]
    public void UniformStaysInItsBoundsWithTheRightMoments()
    {
        var t = Init.Uniform_(Tensor.Zeros(300, 400), -2f, 3f, new Generator(1));
        var (mean, variance, min, max) = Stats(t);
        Assert.InRange(min, -2f, -1.99f);
        Assert.InRange(max, 2.99f, 3f);
        Assert.Equal(0.5, mean, 0.02);
        Assert.Equal(25.0 / 12, variance, 0.03);
    }

    [Fact]
    public void NormalHasTheRequestedMeanAndStd()
    {
        var (mean, variance, _, _) = Stats(Init.Normal_(Tensor.Zeros(500, 400), 1.5f, 0.5f, new Generator(2)));
        Assert.Equal(1.5, mean, 0.005);
        Assert.Equal(0.25, variance, 0.005);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => Init.Uniform_(Tensor.Zeros(2), 1f, 0f));
        Assert.Throws<ArgumentException>(() => Init.Uniform_(Tensor.Zeros(2), 0f, float.PositiveInfinity));
        Assert.Throws<ArgumentException>(() => Init.Normal_(Tensor.Zeros(2), 0f, -1f));
        Assert.Throws<ArgumentException>(() => Init.KaimingUniform_(Tensor.Zeros(2, 2), nonlinearity: "gelu"));
    }

    [Fact]
    public void ConstantsFillInPlaceAndReturnTheSameTensor()
    {
        var t = Tensor.Zeros(2, 3);
        Assert.Same(t, Init.Constant_(t, 0.25f));
        Assert.All(t.ToArray(), v => Assert.Equal(0.25f, v));
        Init.Ones_(t);
        Assert.All(t.ToArray(), v => Assert.Equal(1f, v));
        Init.Zeros_(t);
        Assert.All(t.ToArray(), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void InitialisesParametersWhileGradModeIsOnAndLeavesThemLeaves()
    {
        var p = new Parameter(Tensor.Zeros(20, 10));
        Assert.Same(p, Init.XavierNormal_(p, generator: new Generator(3)));
        Init.Constant_(p, 2f);
        Init.KaimingUniform_(p, generator: new Generator(3));
        Assert.True(p.RequiresGrad);
        Assert.True(p.IsLeaf);
        Assert.True(Dendrite.Autograd.GradMode.IsEnabled);
    }

    [Fact]
    public void FillsThroughANonContiguousView()
    {
        var t = Tensor.Zeros(4, 6);
        Init.Uniform_(t.T, 1f, 2f, new Generator(4));
        Assert.All(t.ToArray(), v => Assert.InRange(v, 1f, 2f));
    }

    [Fact]
    public void XavierUniformHasGlorotsBoundAndVariance()
    {
        var t = Init.XavierUniform_(Tensor.Zeros(400, 600), gain: 2f, generator: new Generator(5));
        double a = 2 * Math.Sqrt(6.0 / 1000) * (1 + 1e-6);
        var (mean, variance, min, max) = Stats(t);
        Assert.InRange(min, -a, -0.99 * a);
        Assert.InRange(max, 0.99 * a, a);
        Assert.Equal(0, mean, 0.002);
        Assert.Equal(4 * 2.0 / 1000, variance, 0.0002);
    }

    [Fact]
    public void XavierNormalHasGlorotsStd()
    {
        var (mean, variance, _, _) = Stats(Init.XavierNormal_(Tensor.Zeros(300, 100, 3), generator: new Generator(6)));
        // fan_in = 100·3, fan_out = 300·3.
        Assert.Equal(0, mean, 0.002);
        Assert.Equal(2.0 / 1200, variance, 2.0 / 1200 * 0.02);
    }

    [Fact]
    public void KaimingUniformUsesTheChosenFanAndGain()
    {
        var t = Init.KaimingUniform_(Tensor.Zeros(64, 16, 5, 5), generator: new Generator(7));
        // fan_in = 16·25 = 400; a = 0 is leaky_relu with slope 0, so gain √2 (as PyTorch). The bound is
        // computed in float32, so allow it a few ulps.
        double bound = Math.Sqrt(3) * Math.Sqrt(2) / Math.Sqrt(400) * (1 + 1e-6);
        var (_, variance, min, max) = Stats(t);
        Assert.InRange(min, -bound, -0.99 * bound);
        Assert.InRange(max, 0.99 * bound, bound);
        Assert.Equal(bound * bound / 3, variance, bound * bound / 3 * 0.02);

        var fanOut = Init.KaimingUniform_(Tensor.Zeros(50, 800), mode: FanMode.FanOut, nonlinearity: "relu", generator: new Generator(8));
        double outBound = Math.Sqrt(3) * Math.Sqrt(2) / Math.Sqrt(50) * (1 + 1e-6);
        Assert.InRange(Stats(fanOut).Max, 0.99 * outBound, outBound);
    }

    [Fact]
    public void KaimingNormalHasHesStd()
    {
        var (mean, variance, _, _) = Stats(Init.KaimingNormal_(Tensor.Zeros(500, 200), a: 0f, nonlinearity: "relu", generator: new Generator(9)));
        Assert.Equal(0, mean, 0.002);
        Assert.Equal(2.0 / 200, variance, 2.0 / 200 * 0.02);
    }

    [Fact]
    public void KaimingOnAnEmptyTensorIsANoOp()
    {
        var t = Tensor.Zeros(0, 3);
        Assert.Same(t, Init.KaimingNormal_(t));
    }

    [Fact]
    public void TheSameSeedGivesTheSameWeights()
    {
        var a = Init.XavierUniform_(Tensor.Zeros(5, 4), generator: new Generator(42));
        var b = Init.XavierUniform_(Tensor.Zeros(5, 4), generator: new Generator(42));
        var c = Init.XavierUniform_(Tensor.Zeros(5, 4), generator: new Generator(43));
        Assert.Equal(a.ToArray(), b.ToArray());
        Assert.NotEqual(a.ToArray(), c.ToArray());
    }
}
