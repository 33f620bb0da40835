using Dendrite.Autograd;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Autograd;

/// <summary>Defects found in review, each pinned by the input that exposed it.</summary>
public class ReviewRegressionTests
{
    [Fact]
    public void AmaxOverSizeOneAxesPassesTheWholeGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f], 3, 1).RequiresGrad_();
        x.Amax([1]).Sum().Backward();
        Assert.Equal([1f, 1f, 1f], x.Grad!.ToArray());
    }

    [Fact]
    public void PowGradientAtZeroToTheZeroIsZero()
    {
        var a = Tensor.FromArray([0f, 2f]).RequiresGrad_();
        var b = Tensor.FromArray([0f, 0f]).RequiresGrad_();
        Tensor.Pow(a, b).Sum().Backward();
        Assert.Equal([0f, 0f], a.Grad!.ToArray());
    }

    [Fact]
    public void ChangingASavedInputInPlaceMakesBackwardFail()
    {
        var x = Tensor.Ones(3).RequiresGrad_();
        var w = Tensor.Ones(3);
        var y = (x * w).Sum();
        w.Add_(Tensor.Ones(3));
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("modified in place", e.Message);
        Assert.Contains("MulBackward", e.Message);
    }

    [Fact]
    public void ChangingTheFifthInputOfCatIsCaughtToo()
    {
        var parts = Enumerable.Range(0, 5).Select(_ => Tensor.Ones(2).RequiresGrad_()).ToList();
        var w = Tensor.Ones(10);
        var y = (Tensor.Cat(parts) * w).Sum();
        y.Backward(retainGraph: true); // unchanged inputs: fine
        using (GradMode.NoGrad()) parts[4].Add_(Tensor.Ones(2));
        Assert.Contains("input 4 of CatBackward", Assert.Throws<InvalidOperationException>(() => y.Backward()).Message);
    }

    [Fact]
    public void AnOptimizerStepBetweenForwardAndBackwardIsCaught()
    {
        var layer = new Linear(2, 1);
        var optimizer = new Dendrite.Optim.Sgd(layer.Parameters(), 0.1f);
        var loss = layer.Forward(Tensor.Ones(4, 2)).Sum();
        loss.Backward(retainGraph: true);
        optimizer.Step();
        Assert.Throws<InvalidOperationException>(() => loss.Backward());
    }

    [Fact]
    public void AWindowLargerThanTheInputIsAnError()
    {
        Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 3, stride: 2).Forward(Tensor.Ones(1, 1, 2, 2)));
        Assert.Throws<ArgumentException>(() => new MaxPool2d(3, 2).Forward(Tensor.Ones(1, 1, 2, 2)));
        Assert.Throws<ArgumentException>(() => new AvgPool2d(3, 2).Forward(Tensor.Ones(1, 1, 2, 2)));
    }

    [Fact]
    public void ConvolvingAnEmptyBatchWithoutGradients()
    {
        using (GradMode.NoGrad())
            Assert.Equal(new[] { 0, 2, 3, 3 }, new Conv2d(1, 2, 3).Forward(Tensor.Zeros(0, 1, 5, 5)).Shape.ToArray());
    }

    [Fact]
    public void KeepAfterTheScopeEndedIsAnError()
    {
        var scope = new TensorScope();
        var t = Tensor.Ones(2) * 2f;
        scope.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scope.Keep(t));
    }
}
