using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.GradCheck;

/// <summary>
/// GradCheck rows for graphs with hooks and retained gradients in them: the identity nodes a full backward
/// hook adds, an output replaced by a forward hook and a retained intermediate must all leave the gradient
/// exact.
/// </summary>
public static class HookRows
{
    private static int seed = 4000;

    private static Tensor R(params int[] shape) => Tensor.Randn(new Generator((ulong)Interlocked.Increment(ref seed)), shape).RequiresGrad_();

    private static Tensor WithHooks(Tensor x, Func<Module, IDisposable[]> register)
    {
        var model = new Sequential(new Linear(3, 4, generator: new Generator(21)), new Tanh(), new Linear(4, 2, generator: new Generator(22)));
        var handles = register(model);
        try
        {
            return model.Call(x);
        }
        finally
        {
            foreach (var h in handles) h.Dispose();
        }
    }

    public static IEnumerable<GradCase> Rows =>
    [
        new("hook full backward observer", t => WithHooks(t[0], m =>
            [.. m.NamedModules().Select(e => e.Module.RegisterFullBackwardHook((_, _, _) => null))]), () => [R(5, 3)]),
        new("hook forward replaces output", t => WithHooks(t[0], m =>
            [((Sequential)m)[1].RegisterForwardHook((_, _, y) => y * y + 1f)]), () => [R(5, 3)]),
        new("hook forward pre replaces input", t => WithHooks(t[0], m =>
            [((Sequential)m)[2].RegisterForwardPreHook((_, x) => x.Sin())]), () => [R(2, 3)]),
        new("hook retain grad intermediate", t =>
        {
            var h = (t[0] * t[1]).Tanh();
            if (h.RequiresGrad) h.RetainGrad(); // GradCheck's finite differences run without a graph
            return (h * h).Sum();
        }, () => [R(3, 2), R(3, 2)]),
    ];
}
