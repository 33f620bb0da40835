using Dendrite.Autograd;

namespace Dendrite.Tensors;

// How an op joins the graph, and the entry points of the backward pass. Every differentiable op ends the
// same way: computed without a graph, its result records a node only when one is wanted,
//
//     return ShouldRecord(a, b) ? result.WithGradFn(new MulBackward(a, b)) : result;
//
// so that with grad mode off, or with no input that requires a gradient, no node is ever made. (The
// element-wise ops say it once, in Unary and Binary in Tensor.Elementwise.cs.)
public partial class Tensor
{
    /// <summary>True when an op on these inputs must record a node: grad mode is on and one of them requires a gradient.</summary>
    internal static bool ShouldRecord(Tensor a) => a.requiresGrad && GradMode.IsEnabled;

    internal static bool ShouldRecord(Tensor a, Tensor b) => (a.requiresGrad || b.requiresGrad) && GradMode.IsEnabled;

    /// <summary><see cref="ShouldRecord(Tensor, Tensor)"/> with an optional third input (a layer's bias).</summary>
    internal static bool ShouldRecord(Tensor a, Tensor b, Tensor? c) =>
        (a.requiresGrad || b.requiresGrad || (c is not null && c.requiresGrad)) && GradMode.IsEnabled;

    internal static bool ShouldRecord(IReadOnlyList<Tensor> inputs)
    {
        if (!GradMode.IsEnabled) return false;
        foreach (var t in inputs)
            if (t.requiresGrad) return true;
        return false;
    }

    /// <summary>
    /// Links this freshly computed tensor to the node that produced it: the one way a node joins the graph
    /// (after <see cref="ShouldRecord(Tensor)"/> said so). Returns this tensor.
    /// </summary>
    internal Tensor WithGradFn(Node node)
    {
        GradFn = node;
        requiresGrad = true;
        node.AttachOutput(this);
        return this;
    }

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
}
