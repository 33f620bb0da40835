using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.NN;

/// <summary>Module hooks with PyTorch's semantics: order, replacement, removal (also from inside a hook), backward hooks.</summary>
public class HookTests
{
    private static Tensor V(params float[] values) => Tensor.FromArray(values);

    [Fact]
    public void PreHooksRunInOrderAndMayReplaceTheInput()
    {
        var log = new List<string>();
        var module = new Identity();
        using var a = module.RegisterForwardPreHook((m, x) =>
        {
            log.Add($"a {x.ToArray()[0]}");
            return x * 2f;
        });
        using var b = module.RegisterForwardPreHook((m, x) =>
        {
            Assert.Same(module, m);
            log.Add($"b {x.ToArray()[0]}");
            return null; // keeps the input
        });
        using var c = module.RegisterForwardHook((m, x, y) =>
        {
            log.Add($"post in {x.ToArray()[0]} out {y.ToArray()[0]}");
            return null;
        });
        var output = module.Call(V(3f));
        Assert.Equal(["a 3", "b 6", "post in 6 out 6"], log);
        Assert.Equal([6f], output.ToArray());
    }

    [Fact]
    public void ForwardHooksRunInOrderAndMayReplaceTheOutput()
    {
        var module = new Linear(1, 1, bias: false);
        using (GradMode.NoGrad()) module.Weight.Fill_(2f);
        var seen = new List<float>();
        using var first = module.RegisterForwardHook((_, _, y) => y + 1f);
        using var second = module.RegisterForwardHook((_, _, y) =>
        {
            seen.Add(y.Item());
            return y * 10f;
        });
        Assert.Equal(70f, module.Call(V(3f)).Item()); // (2·3 + 1)·10
        Assert.Equal([7f], seen);
        Assert.Equal(6f, module.Forward(V(3f)).Item()); // Forward itself runs no hooks, as in PyTorch
    }

    [Fact]
    public void DisposingAHandleRemovesItsHookOnly()
    {
        var module = new Identity();
        int calls = 0;
        Func<Module, Tensor, Tensor, Tensor?> count = (_, _, _) =>
        {
            calls++;
            return null;
        };
        var h1 = module.RegisterForwardHook(count);
        var h2 = module.RegisterForwardHook(count); // the same delegate twice: two registrations
        module.Call(V(1f));
        Assert.Equal(2, calls);
        h1.Dispose();
        h1.Dispose(); // twice is harmless and does not remove the other registration
        module.Call(V(1f));
        Assert.Equal(3, calls);
        Assert.True(module.HasHooks);
        h2.Dispose();
        module.Call(V(1f));
        Assert.Equal(3, calls);
        Assert.False(module.HasHooks);
    }

    [Fact]
    public void HooksAddedOrRemovedDuringACallTakeEffectFromTheNextCall()
    {
        var module = new Identity();
        var log = new List<string>();
        IDisposable? second = null;
        IDisposable? late = null;
        IDisposable first = null!;
        first = module.RegisterForwardHook((_, _, _) =>
        {
            log.Add("first");
            first.Dispose();   // removes itself while the list is being run
            second!.Dispose(); // and the next one
            late ??= module.RegisterForwardHook((_, _, _) =>
            {
                log.Add("late");
                return null;
            });
            return null;
        });
        second = module.RegisterForwardHook((_, _, _) =>
        {
            log.Add("second");
            return null;
        });
        module.Call(V(1f));
        Assert.Equal(["first", "second"], log); // the call runs the hooks it started with
        log.Clear();
        module.Call(V(1f));
        Assert.Equal(["late"], log);
        late!.Dispose();
    }

    [Fact]
    public void SequentialCallsItsChildrenThroughTheirHooksAndGivesTheFusedResult()
    {
        var model = new Sequential(new Conv2d(1, 2, 3, padding: 1, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
            new Flatten(), new Linear(8, 3, generator: new Generator(2)), new ReLU());
        var x = Tensor.Randn(new Generator(3), 2, 1, 4, 4);
        Tensor fused;
        using (GradMode.NoGrad()) fused = model.Forward(x);
        var names = new List<string>();
        var handles = model.NamedModules().Skip(1)
            .Select(m => m.Module.RegisterForwardHook((_, _, y) =>
            {
                names.Add($"{m.Name} {y.Shape}");
                return null;
            })).ToList();
        Tensor hooked;
        using (GradMode.NoGrad()) hooked = model.Call(x);
        Assert.Equal(["0 [2,2,4,4]", "1 [2,2,4,4]", "2 [2,2,2,2]", "3 [2,8]", "4 [2,3]", "5 [2,3]"], names);
        Assert.Equal(fused.ToArray(), hooked.ToArray());
        foreach (var h in handles) h.Dispose();
        names.Clear();
        using (GradMode.NoGrad()) model.Call(x);
        Assert.Empty(names);
    }

    [Fact]
    public void FullBackwardHookSeesTheGradientsOfInputAndOutputAndMayReplaceTheInputs()
    {
        var module = new Linear(3, 2, generator: new Generator(4));
        var x = Tensor.Randn(new Generator(5), 4, 3).RequiresGrad_();
        var upstream = Tensor.Randn(new Generator(6), 4, 2);
        var reference = x.Detach().Clone().RequiresGrad_();
        module.Forward(reference).Backward(upstream);
        module.ZeroGrad();

        Tensor? seenIn = null, seenOut = null;
        using var observe = module.RegisterFullBackwardHook((m, gIn, gOut) =>
        {
            Assert.Same(module, m);
            (seenIn, seenOut) = (gIn!.Clone(), gOut.Clone());
            return null;
        });
        using var triple = module.RegisterFullBackwardHook((_, gIn, _) => gIn! * 3f);
        module.Call(x).Backward(upstream);
        Assert.Equal(upstream.ToArray(), seenOut!.ToArray());
        Assert.Equal(reference.Grad!.ToArray(), seenIn!.ToArray());
        var tripled = reference.Grad!.ToArray().Select(v => v * 3f).ToArray();
        Assert.Equal(tripled, x.Grad!.ToArray());
        // The parameters' own gradients are not the hook's business: unchanged.
        Assert.NotNull(module.Weight.Grad);
    }

    [Fact]
    public void FullBackwardHookGetsNullForAnInputThatNeedsNoGradient()
    {
        var module = new Linear(2, 2, generator: new Generator(7));
        int calls = 0;
        using var hook = module.RegisterFullBackwardHook((_, gIn, gOut) =>
        {
            calls++;
            Assert.Null(gIn);
            Assert.Equal([2, 2], gOut.Shape.ToArray());
            return null;
        });
        module.Call(Tensor.Ones(2, 2)).Sum().Backward(); // only the weights require gradients
        Assert.Equal(1, calls);
        using (GradMode.NoGrad()) module.Call(Tensor.Ones(2, 2)); // no graph, no backward hook
        Assert.Equal(1, calls);
    }

    [Fact]
    public void FullBackwardHookReturningAWrongShapeIsRefusedByName()
    {
        var module = new Tanh();
        using var hook = module.RegisterFullBackwardHook((_, _, _) => Tensor.Ones(5));
        var x = Tensor.Randn(new Generator(8), 2, 3).RequiresGrad_();
        var error = Assert.Throws<InvalidOperationException>(() => module.Call(x).Sum().Backward());
        Assert.Contains("Tanh: a full backward hook returned a gradient of shape [5] for an input of shape [2,3]", error.Message);
    }

    [Fact]
    public void RetainGradKeepsTheGradientOfAnIntermediateTensor()
    {
        var x = Tensor.FromArray([1f, -2f, 3f]).RequiresGrad_();
        var y = x * 2f;
        var z = y.Relu();
        y.RetainGrad();
        z.RetainGrad();
        Assert.True(y.RetainsGrad);
        Assert.False(x.RetainsGrad);
        (z * z).Sum().Backward(retainGraph: true);
        Assert.Equal([4f, 0f, 12f], z.Grad!.ToArray()); // d(z²)/dz = 2z
        Assert.Equal([4f, 0f, 12f], y.Grad!.ToArray()); // ReLU passes it where y > 0
        Assert.Equal([8f, 0f, 24f], x.Grad!.ToArray());
        (z * z).Sum().Backward(); // a second pass accumulates, as for a leaf
        Assert.Equal([8f, 0f, 24f], y.Grad!.ToArray());
        Assert.Null((x * 3f).Grad); // without RetainGrad a non-leaf keeps nothing
    }

    [Fact]
    public void RetainGradOnTheRootAndOnLeaves()
    {
        var x = Tensor.FromArray([2f]).RequiresGrad_();
        x.RetainGrad(); // a leaf keeps its gradient anyway
        var y = x * x;
        y.RetainGrad();
        y.Backward();
        Assert.Equal([1f], y.Grad!.ToArray());
        Assert.Equal([4f], x.Grad!.ToArray());
        var error = Assert.Throws<InvalidOperationException>(() => Tensor.Ones(2).RetainGrad());
        Assert.Contains("RetainGrad: this tensor (shape [2]) does not require a gradient", error.Message);
    }
}
