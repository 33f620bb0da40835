using Dendrite.Autograd;

namespace Dendrite.Tests.Autograd;

/// <summary>The course's worked examples of backpropagation, checked number by number.</summary>
public class WorkedExampleTests
{
    [Fact]
    public void LocalGradientsMultiplyAlongTheGraph()
    {
        // f = (x + y)·z at x = −2, y = 5, z = −4: q = x + y = 3, f = q·z = −12;
        // ∂f/∂z = q = 3, ∂f/∂q = z = −4, and ∂q/∂x = ∂q/∂y = 1 so ∂f/∂x = ∂f/∂y = −4.
        var x = Tensor.Scalar(-2).RequiresGrad_();
        var y = Tensor.Scalar(5).RequiresGrad_();
        var z = Tensor.Scalar(-4).RequiresGrad_();
        var f = (x + y) * z;
        f.Backward();
        Assert.Equal(-12f, f.Item());
        Assert.Equal(-4f, x.Grad!.Item());
        Assert.Equal(-4f, y.Grad!.Item());
        Assert.Equal(3f, z.Grad!.Item());
    }

    [Fact]
    public void PerceptronWithSigmoidActivation()
    {
        // ŷ = σ(1 + 3x₁ − 2x₂) at x = (−1, 2): the pre-activation is 1 − 3 − 4 = −6.
        var w = Tensor.FromArray([3f, -2f]);
        var x = Tensor.FromArray([-1f, 2f]);
        var yHat = (w.MatMul(x) + 1f).Sigmoid();
        Assert.Equal(0.00247f, yHat.Item(), 5);
        Assert.Equal(1 / (1 + Math.Exp(6)), yHat.Item(), 6);
    }

    [Theory]
    [InlineData(-3.0)]
    [InlineData(-0.5)]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(2.5)]
    public void SigmoidDerivativeIsSigmaTimesOneMinusSigma(double at)
    {
        var x = Tensor.Scalar((float)at).RequiresGrad_();
        var s = x.Sigmoid();
        s.Backward();
        float sigma = s.Item();
        Assert.Equal(sigma * (1 - sigma), x.Grad!.Item(), 6);
    }

    [Theory]
    [InlineData(-2.0)]
    [InlineData(-0.3)]
    [InlineData(0.0)]
    [InlineData(1.1)]
    public void TanhDerivativeIsOneMinusTanhSquared(double at)
    {
        var x = Tensor.Scalar((float)at).RequiresGrad_();
        var t = x.Tanh();
        t.Backward();
        float th = t.Item();
        Assert.Equal(1 - th * th, x.Grad!.Item(), 6);
    }

    [Fact]
    public void TwoTwoOneSigmoidNetworkLearnsXor()
    {
        var g = new Generator(7);
        var inputs = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
        var targets = Tensor.FromArray(new float[,] { { 0 }, { 1 }, { 1 }, { 0 } });
        var w1 = Tensor.Randn(g, 2, 2).RequiresGrad_();
        var b1 = Tensor.Zeros(2).RequiresGrad_();
        var w2 = Tensor.Randn(g, 2, 1).RequiresGrad_();
        var b2 = Tensor.Zeros(1).RequiresGrad_();
        Tensor[] parameters = [w1, b1, w2, b2];

        float firstLoss = 0, loss = 0;
        for (int step = 0; step < 5000; step++)
        {
            var hidden = (inputs.MatMul(w1) + b1).Sigmoid();
            var output = (hidden.MatMul(w2) + b2).Sigmoid();
            var l = (output - targets).Square().Mean();
            foreach (var p in parameters) p.ZeroGrad();
            l.Backward();
            using (GradMode.NoGrad())
                foreach (var p in parameters) p.Add_(p.Grad!, alpha: -2f);
            loss = l.Item();
            if (step == 0) firstLoss = loss;
        }

        Assert.True(loss < firstLoss / 10, $"loss went from {firstLoss} to {loss}");
        using (GradMode.NoGrad())
        {
            var predictions = ((inputs.MatMul(w1) + b1).Sigmoid().MatMul(w2) + b2).Sigmoid().ToArray();
            Assert.True(predictions[0] < 0.2 && predictions[3] < 0.2, string.Join(", ", predictions));
            Assert.True(predictions[1] > 0.8 && predictions[2] > 0.8, string.Join(", ", predictions));
        }
    }
}
