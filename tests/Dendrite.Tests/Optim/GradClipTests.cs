using Dendrite.NN;
using Dendrite.Optim;

namespace Dendrite.Tests.Optim;

public class GradClipTests
{
    [Fact]
    public void ClipGradNormScalesToTheMaximumAndReturnsTheOriginalNorm()
    {
        var a = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.FromArray([3f, 0f]) };
        var b = new Parameter(Tensor.Zeros(1)) { Grad = Tensor.FromArray([4f]) };
        var frozen = new Parameter(Tensor.Zeros(1));
        float norm = GradClip.ClipGradNorm([a, b, frozen], maxNorm: 1f);
        Assert.Equal(5f, norm);
        Assert.Equal(0.6f, a.Grad.ToArray()[0], 1e-6f);
        Assert.Equal(0.8f, b.Grad.ToArray()[0], 1e-6f);
        Assert.Null(frozen.Grad);
    }

    [Fact]
    public void SmallGradientsAreLeftAlone()
    {
        var a = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.FromArray([0.3f, -0.4f]) };
        Assert.Equal(0.5f, GradClip.ClipGradNorm([a], 10f), 1e-6f);
        Assert.Equal([0.3f, -0.4f], a.Grad.ToArray());
        Assert.Equal(0f, GradClip.ClipGradNorm([new Parameter(Tensor.Zeros(2))], 1f));
    }

    [Fact]
    public void InfinityNormAndNonContiguousGradients()
    {
        var a = new Parameter(Tensor.Zeros(3, 2)) { Grad = Tensor.FromArray(new float[,] { { 1, -6, 2 }, { 3, 0, 1 } }).T };
        Assert.Equal(6f, GradClip.ClipGradNorm([a], 3f, float.PositiveInfinity));
        Assert.Equal(-3f, a.Grad.ToArray()[2], 1e-5f);
        GradClip.ClipGradValue([a], 0.5f);
        Assert.All(a.Grad.ToArray(), g => Assert.InRange(g, -0.5f, 0.5f));
    }

    [Fact]
    public void NonFiniteNormIsReportedWhenAsked()
    {
        var a = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.FromArray([float.NaN, 1f]) };
        Assert.Contains("NaN", Assert.Throws<InvalidOperationException>(() => GradClip.ClipGradNorm([a], 1f, errorIfNonfinite: true)).Message);
    }

    [Fact]
    public void BadArgumentsAreRejected()
    {
        var a = new Parameter(Tensor.Zeros(2));
        Assert.Equal("ClipGradNorm: max norm must be non-negative, got -1", Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a], -1f)).Message);
        Assert.Equal("ClipGradNorm: norm type must be positive or infinity, got 0", Assert.Throws<ArgumentException>(() => GradClip.ClipGradNorm([a], 1f, 0f)).Message);
        Assert.Equal("ClipGradValue: clip value must be non-negative, got -0.5", Assert.Throws<ArgumentException>(() => GradClip.ClipGradValue([a], -0.5f)).Message);
    }
}
