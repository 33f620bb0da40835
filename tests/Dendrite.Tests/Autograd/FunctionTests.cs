using Dendrite.Autograd;
using Cube = Dendrite.Tests.GradCheck.CustomFunctionRows.Cube;
using Swish = Dendrite.Tests.GradCheck.CustomFunctionRows.Swish;

namespace Dendrite.Tests.Autograd;

/// <summary>Custom ops through the public <see cref="Function"/> API: recording, grad mode, and the errors a user can make.</summary>
public class FunctionTests
{
    [Fact]
    public void ACustomOpRecordsANodeNamedAfterItAndBackPropagatesItsOwnGradient()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var y = new Cube().Apply(x);
        Assert.Equal("tensor([1., 8.], grad_fn=<CubeBackward>)", y.ToString());
        Assert.Equal("CubeBackward", y.GradFn!.Name);
        Assert.Same(x, y.GradFn.Inputs[0]);
        y.Sum().Backward();
        Assert.Equal([3f, 12f], x.Grad!.ToArray());
    }

    [Fact]
    public void NothingIsRecordedWhenNoInputRequiresAGradientOrGradModeIsOff()
    {
        var plain = new Cube().Apply(Tensor.FromArray([2f]));
        Assert.Null(plain.GradFn);
        Assert.False(plain.RequiresGrad);

        var x = Tensor.FromArray([2f]).RequiresGrad_();
        using (GradMode.NoGrad())
        {
            var y = new Cube().Apply(x);
            Assert.Null(y.GradFn);
            Assert.False(y.RequiresGrad);
        }
    }

    [Fact]
    public void ForwardRunsWithoutRecordingAndBackwardSeesWhichInputsNeedAGradient()
    {
        var probe = new Probe();
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var c = Tensor.FromArray([3f, 4f]);
        var y = probe.Apply(x, c);
        Assert.False(probe.GradModeInForward);
        Assert.False(probe.InnerResultHadGraph);
        y.Sum().Backward();
        Assert.Equal([true, false], probe.Needs);
        Assert.Equal([3f, 4f], x.Grad!.ToArray());
        Assert.Null(c.Grad);
    }

    [Fact]
    public void OneInstanceAppliedTwiceKeepsEachCallsSavedTensorsApart()
    {
        var cube = new Cube();
        var a = Tensor.FromArray([1f]).RequiresGrad_();
        var b = Tensor.FromArray([3f]).RequiresGrad_();
        var ya = cube.Apply(a);
        var yb = cube.Apply(b);
        (ya + yb).Backward();
        Assert.Equal(3f, a.Grad!.Item());
        Assert.Equal(27f, b.Grad!.Item());
    }

    [Fact]
    public void AnInputReturnedAsItIsIsNotReParented()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var y = new PassThrough().Apply(x);
        Assert.NotSame(x, y);
        Assert.True(x.IsLeaf);
        (y * 2f).Sum().Backward();
        Assert.Equal([2f, 2f], x.Grad!.ToArray());

        var constant = Tensor.FromArray([5f]);
        var z = new PassThrough().Apply(constant, Tensor.Ones(1).RequiresGrad_());
        Assert.False(constant.RequiresGrad);
        Assert.True(z.RequiresGrad);
    }

    [Fact]
    public void AnInputGradientOfTheWrongCountOrShapeIsReportedWithTheOpsName()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var count = Assert.Throws<InvalidOperationException>(() => new WrongCount().Apply(x).Sum().Backward());
        Assert.Contains("WrongCountBackward: Backward returned 2 gradient(s) for 1 input(s)", count.Message);
        var shape = Assert.Throws<InvalidOperationException>(() => new WrongShape().Apply(x).Sum().Backward());
        Assert.Contains("WrongShapeBackward: returned a gradient of shape [3] for an input of shape [2]", shape.Message);
    }

    [Fact]
    public void ASavedTensorChangedInPlaceStopsTheBackwardPass()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        var swishBeta = Tensor.FromArray([1f, 1f]);
        var y = new Swish().Apply(x, swishBeta);
        swishBeta.Add_(Tensor.Ones(2)); // β is not an input that needs a gradient, but it was saved
        var error = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Contains("SwishBackward", error.Message);
        Assert.Contains("modified in place", error.Message);
    }

    [Fact]
    public void ABackwardThatReturnsNullForAnInputThatNeedsNoneLeavesItsGradientUnset()
    {
        var x = Tensor.FromArray([0.5f, -1f]).RequiresGrad_();
        var beta = Tensor.FromArray([2f, 2f]);
        new Swish().Apply(x, beta).Sum().Backward();
        Assert.NotNull(x.Grad);
        Assert.Null(beta.Grad);
    }

    private sealed class Probe : Function
    {
        public bool GradModeInForward = true, InnerResultHadGraph = true;
        public bool[] Needs = [];

        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            GradModeInForward = GradMode.IsEnabled;
            var result = inputs[0] * inputs[1];
            InnerResultHadGraph = result.GradFn is not null;
            ctx.SaveForBackward(inputs[1]);
            return result;
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Needs = [ctx.NeedsInputGrad(0), ctx.NeedsInputGrad(1)];
            return [gradOutput * ctx.SavedTensors[0], null];
        }
    }

    // Returns its first input unchanged; the others only join the graph.
    private sealed class PassThrough : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs)
        {
            ctx.Values["inputs"] = inputs.Length;
            return inputs[0];
        }

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            var grads = new Tensor?[(int)ctx.Values["inputs"]!];
            grads[0] = gradOutput;
            return grads;
        }
    }

    private sealed class WrongCount : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0] * 2f;

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [gradOutput * 2f, gradOutput];
    }

    private sealed class WrongShape : Function
    {
        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0] * 2f;

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput) => [Tensor.Ones(3)];
    }
}
