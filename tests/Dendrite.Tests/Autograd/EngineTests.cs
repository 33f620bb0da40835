using Dendrite.Autograd;

namespace Dendrite.Tests.Autograd;

public class EngineTests
{
    [Fact]
    public void FanOutAccumulatesGradients()
    {
        var x = Tensor.Scalar(3f).RequiresGrad_();
        var y = x * x + x; // dy/dx = 2x + 1
        y.Backward();
        Assert.Equal(7f, x.Grad!.Item());
    }

    [Fact]
    public void GradientsAccumulateAcrossBackwardCallsUntilZeroed()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        (x * 3f).Sum().Backward();
        (x * 3f).Sum().Backward();
        Assert.Equal([6f, 6f], x.Grad!.ToArray());
        x.ZeroGrad();
        Assert.Equal([0f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void AfterZeroGradTheNextBackwardStartsFromZeroAndKeepsTheBuffer()
    {
        // ZeroGrad defers its memset; every way of looking at the gradient must still see zeros first.
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        (x * 3f).Sum().Backward();
        var buffer = x.Grad!;
        x.ZeroGrad();
        (x * 5f).Sum().Backward();
        Assert.Same(buffer, x.Grad);
        Assert.Equal([5f, 5f], x.Grad!.ToArray());
        (x * 1f).Sum().Backward(); // no ZeroGrad in between: accumulates
        Assert.Equal([6f, 6f], x.Grad!.ToArray());

        x.ZeroGrad();
        x.ZeroGrad();
        Assert.Equal([0f, 0f], x.Grad!.ToArray());
        Assert.Equal([0f, 0f], buffer.ToArray()); // reading Grad zero-filled the buffer it returned

        x.ZeroGrad();
        x.Grad = Tensor.FromArray([7f, 7f]); // a gradient set by hand replaces the pending zero
        (x * 1f).Sum().Backward();
        Assert.Equal([8f, 8f], x.Grad!.ToArray());

        var unused = Tensor.FromArray([1f]).RequiresGrad_();
        unused.ZeroGrad(); // no gradient yet: stays null
        Assert.Null(unused.Grad);
    }

    [Fact]
    public void AnOptimizerSeesZeroForAParameterThatGotNoGradientAfterZeroGrad()
    {
        var used = new Dendrite.NN.Parameter(Tensor.FromArray([1f]));
        var unused = new Dendrite.NN.Parameter(Tensor.FromArray([1f]));
        (used * unused).Sum().Backward();
        var optimizer = new Dendrite.Optim.Sgd([used, unused], lr: 1f);
        optimizer.ZeroGrad();
        (used * 2f).Sum().Backward();
        optimizer.Step();
        Assert.Equal(-1f, used.Item());
        Assert.Equal(1f, unused.Item());
        Assert.Equal([0f], unused.Grad!.ToArray());
    }

    [Fact]
    public void BroadcastGradientsAreSummedBackToTheInputShape()
    {
        var a = Tensor.Ones(2, 3).RequiresGrad_();
        var b = Tensor.FromArray([1f, 2f, 3f]).RequiresGrad_();
        (a * b).Sum().Backward();
        Assert.Equal(new[] { 3 }, b.Grad!.Shape.ToArray());
        Assert.Equal([2f, 2f, 2f], b.Grad.ToArray());
        Assert.Equal([1f, 2f, 3f, 1f, 2f, 3f], a.Grad!.ToArray());
    }

    [Fact]
    public void BackwardTwiceOnAFreedGraphThrowsUnlessRetained()
    {
        var x = Tensor.Scalar(2f).RequiresGrad_();
        var y = x.Exp() * x;
        y.Backward();
        var e = Assert.Throws<InvalidOperationException>(() => y.Backward());
        Assert.Contains("retainGraph", e.Message);

        var z = x.Exp() * x;
        x.Grad = null;
        z.Backward(retainGraph: true);
        z.Backward();
        Assert.Equal(2 * 3 * MathF.Exp(2), x.Grad!.Item(), 3);
    }

    [Fact]
    public void NonScalarBackwardNeedsAnExplicitGradient()
    {
        var x = Tensor.FromArray([1f, 2f, 3f]).RequiresGrad_();
        var y = x * 2f;
        Assert.Contains("not a scalar", Assert.Throws<InvalidOperationException>(() => y.Backward()).Message);
        y.Backward(Tensor.FromArray([1f, 0.1f, 0.01f]));
        Assert.Equal([2f, 0.2f, 0.02f], x.Grad!.ToArray());
        Assert.Contains("[2]", Assert.Throws<ArgumentException>(() => (x * 2f).Backward(Tensor.Zeros(2))).Message);
    }

    [Fact]
    public void NoGradDetachAndRequiresGrad()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        using (GradMode.NoGrad())
        {
            var y = x * 2f;
            Assert.False(y.RequiresGrad);
            Assert.Null(y.GradFn);
            using (GradMode.EnableGrad()) Assert.True((x * 2f).RequiresGrad);
        }
        Assert.True(GradMode.IsEnabled);
        var d = (x * 2f).Detach();
        Assert.False(d.RequiresGrad);
        Assert.True(d.IsLeaf);
        var z = x * 2f;
        Assert.Equal("MulBackward", z.GradFn!.Name);
        Assert.Throws<InvalidOperationException>(() => z.RequiresGrad = false);
        Assert.Contains("does not require", Assert.Throws<InvalidOperationException>(() => Tensor.Scalar(1f).Backward()).Message);
        Assert.Contains("in place", Assert.Throws<InvalidOperationException>(() => x.Add_(Tensor.Ones(2))).Message);
    }

    [Fact]
    public void GradientOnlyFlowsToInputsThatWantIt()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var c = Tensor.FromArray([3f, 4f]);
        (x * c).Sum().Backward();
        Assert.Null(c.Grad);
        Assert.Equal([3f, 4f], x.Grad!.ToArray());
    }

    [Fact]
    public void DeepGraphsDoNotOverflowTheStack()
    {
        var x = Tensor.Scalar(1f).RequiresGrad_();
        var y = x;
        for (int i = 0; i < 20_000; i++) y = y * 1f;
        y.Backward();
        Assert.Equal(1f, x.Grad!.Item());
    }
}
