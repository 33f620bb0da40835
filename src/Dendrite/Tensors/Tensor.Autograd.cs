using Dendrite.Autograd;

namespace Dendrite.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Back-propagates from this scalar (dL/dL = 1) and accumulates dL/dx into the <see cref="Grad"/> of
    /// every leaf x that requires a gradient. The graph is freed afterwards unless
    /// <paramref name="retainGraph"/> is set.
    /// </summary>
    public void Backward(bool retainGraph = false)
    {
        if (Numel != 1)
            throw new InvalidOperationException(
                $"Backward: a tensor of shape {Shape} is not a scalar; pass the gradient of the output explicitly");
        Engine.Backward(this, OnesLike(this), retainGraph);
    }

    /// <summary>Back-propagates an explicit gradient of the same shape as this tensor (a vector–Jacobian product).</summary>
    public void Backward(Tensor gradient, bool retainGraph = false) => Engine.Backward(this, gradient, retainGraph);

    /// <summary>A tensor sharing this one's storage but cut from the graph (no gradient flows through it).</summary>
    public Tensor Detach() => MakeView(Storage, Shape, StridesArray, Offset);

    /// <summary>True when an op on these inputs must record a node.</summary>
    internal static bool ShouldRecord(Tensor a) => a.requiresGrad && GradMode.IsEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.requiresGrad || b.requiresGrad) && GradMode.IsEnabled;

    internal static bool ShouldRecord(IReadOnlyList<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
            if (t.requiresGrad) return true;
        return false;
    }
}
