using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Autograd;

/// <summary>
/// Inside a <see cref="TensorScope"/> the engine hands an intermediate gradient's memory back to the pool as
/// soon as the backward pass is done with it. These tests pin down that it does so, and that it never releases
/// memory something else can still reach: views passed on, fan-out, retained gradients, hooks, custom functions.
/// Each graph is differentiated twice, without a scope (nothing is released) and inside one; the gradients must
/// be bitwise the same.
/// </summary>
public class GradientMemoryTests
{
    private static float[] GradWithoutScope(Tensor x, Func<Tensor, Tensor> f)
    {
        var leaf = x.Detach().Clone().RequiresGrad_();
        f(leaf).Backward();
        return leaf.Grad!.ToArray();
    }

    // Runs f's backward pass inside a scope; returns the leaf's gradient and how many gradients were released.
    private static (float[] Grad, int Released) GradInScope(Tensor x, Func<Tensor, Tensor> f)
    {
        var leaf = x.Detach().Clone().RequiresGrad_();
        using var scope = new TensorScope();
        f(leaf).Backward();
        return (leaf.Grad!.ToArray(), Engine.LastPassReleased);
    }

    private static Tensor Input() => Tensor.Randn(new Generator(3), 6, 8);

    [Fact]
    public void AChainReleasesItsIntermediateGradientsAndKeepsTheResult()
    {
        Func<Tensor, Tensor> f = x => ((x * 2f).Relu() * 3f).Tanh().Sum();
        var (grad, released) = GradInScope(Input(), f);
        Assert.Equal(GradWithoutScope(Input(), f), grad);
        // The gradients of Tanh's, Mul's and Relu's outputs, and the one handed to the leaf.
        Assert.True(released >= 3, $"released {released}");
    }

    [Fact]
    public void WithoutAScopeNothingIsReleased()
    {
        var x = Input().RequiresGrad_();
        ((x * 2f).Relu() * 3f).Sum().Backward();
        Assert.Equal(0, Engine.LastPassReleased);
    }

    [Fact]
    public void ViewsAndFanOutKeepTheGradientTheyShare()
    {
        // Reshape and Transpose hand back views of the gradient they were given; a + a hands the same tensor to
        // both inputs; Cat's backward returns slices of one gradient to two branches.
        Func<Tensor, Tensor>[] graphs =
        [
            x => ((x * 2f).Reshape(4, 12).Transpose(0, 1) * 3f).Sum(),
            x => { var a = x * 2f; return ((a + a) * a).Sum(); },
            x => { var a = (x * 2f).Relu(); return (Tensor.Cat([a, a * 3f], axis: 1) * Tensor.Cat([a, a], axis: 1)).Sum(); },
            x => { var a = x.Sigmoid(); var b = a.Reshape(48); return (b * b).Sum() + (a * 5f).Sum(); },
        ];
        foreach (var f in graphs)
            Assert.Equal(GradWithoutScope(Input(), f), GradInScope(Input(), f).Grad);
    }

    [Fact]
    public void ARetainedGradientIsReadableAfterThePass()
    {
        var x = Input().RequiresGrad_();
        using var scope = new TensorScope();
        var a = (x * 2f).Relu();
        a.RetainGrad();
        var b = a * 3f;
        b.RetainGrad();
        (b * b).Sum().Backward();
        var expectedB = b.ToArray().Select(v => 2f * v).ToArray();
        Assert.Equal(expectedB, b.Grad!.ToArray());
        Assert.Equal(expectedB.Select(v => v * 3f).ToArray(), a.Grad!.ToArray());
    }

    [Fact]
    public void GradientsABackwardHookSawStayReadable()
    {
        var module = new Sequential(new Linear(8, 5, generator: new Generator(1)), new ReLU(), new Linear(5, 4, generator: new Generator(2)));
        var inner = (Linear)module[2];
        Tensor? seenIn = null, seenOut = null;
        using var hook = inner.RegisterFullBackwardHook((_, gIn, gOut) =>
        {
            (seenIn, seenOut) = (gIn, gOut);
            return null;
        });
        var x = Input().RequiresGrad_();
        using var scope = new TensorScope();
        var y = module.Forward(x);
        (y * y).Sum().Backward();
        // Read inside the scope, after the pass: the engine must not have handed either back.
        Assert.Equal(y.ToArray().Select(v => 2f * v).ToArray(), seenOut!.ToArray());
        Assert.Equal([6, 5], seenIn!.Shape.ToArray());
        Assert.All(seenIn.ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void GradientsACustomFunctionKeptStayReadable()
    {
        var keeper = new Keeper();
        var x = Input().RequiresGrad_();
        using var scope = new TensorScope();
        var y = keeper.Apply((x * 2f).Relu());
        (y * 3f).Sigmoid().Sum().Backward();
        Assert.Equal([6, 8], keeper.Seen!.Shape.ToArray());
        Assert.Equal(keeper.Returned!.ToArray(), keeper.Seen.ToArray());
    }

    // The identity, which keeps the gradient it was given and the one it returned.
    private sealed class Keeper : Function
    {
        public Tensor? Seen, Returned;

        public override Tensor Forward(FunctionContext ctx, params Tensor[] inputs) => inputs[0] * 1f;

        public override Tensor?[] Backward(FunctionContext ctx, Tensor gradOutput)
        {
            Seen = gradOutput;
            Returned = gradOutput * 1f;
            return [Returned];
        }
    }
}
