using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// One recorded operation in the computational graph: it remembers its inputs (and whatever it saved
/// from the forward pass) and, given the gradient of the loss with respect to its output, returns the
/// gradient with respect to each input — the upstream gradient times the op's local gradient. One sealed
/// subclass per primitive, named like PyTorch's (<c>MulBackward</c>, <c>MatMulBackward</c>, ...).
/// </summary>
/// <remarks>
/// Node.Versions.cs lets <see cref="Engine"/> catch an input changed in place after the node saved it;
/// Node.Reuse.cs lets a <see cref="TensorScope"/> retire a node with its output tensor, and the node types
/// derived from <see cref="ReusableNode{TSelf}"/> be re-armed by a later op instead of allocated.
/// </remarks>
public abstract partial class Node
{
    private readonly Tensor?[] inputs;

    /// <summary>Creates a node over the differentiable inputs of an op (null for an input that is not one).</summary>
    protected Node(params Tensor?[] inputs)
    {
        this.inputs = inputs;
        SaveInputVersions();
    }

    /// <summary>
    /// Given dL/d(output), returns dL/d(input) for each entry of <see cref="Inputs"/>, shaped like that
    /// input, or null where an input does not need one. Runs with grad mode off.
    /// </summary>
    protected internal abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>The op's differentiable inputs, in the order <see cref="Backward"/> returns gradients.</summary>
    public IReadOnlyList<Tensor?> Inputs => inputs;

    internal Tensor?[] InputArray => inputs;

    /// <summary>True when input <paramref name="i"/> exists and wants a gradient.</summary>
    protected bool NeedsGrad(int i) => inputs[i] is { RequiresGrad: true };

    /// <summary>The name shown when the graph is printed, e.g. <c>MulBackward</c>.</summary>
    public virtual string Name => GetType().Name;

    // The non-leaf tensors produced by this node that asked to keep their gradient (Tensor.RetainGrad).
    private List<Tensor>? retained;

    /// <summary>Makes the engine keep the gradient this node receives in <paramref name="output"/>'s Grad.</summary>
    internal void Retain(Tensor output)
    {
        retained ??= [];
        if (!retained.Contains(output)) retained.Add(output);
    }

    internal bool Retains(Tensor output) => retained is not null && retained.Contains(output);

    /// <summary>Called by the engine with the gradient of this node's output, before the node runs.</summary>
    internal void DeliverRetained(Tensor gradOutput)
    {
        if (retained is null) return;
        foreach (var t in retained) t.AccumulateGrad(gradOutput);
    }

    /// <summary>
    /// True for a node that may keep a reference to a gradient it receives or returns past its
    /// <see cref="Backward"/> (user code: a custom <see cref="Function"/>, a module's backward hook); the engine
    /// then leaves that gradient's memory to the scope instead of releasing it once the pass is done with it.
    /// </summary>
    internal virtual bool MayKeepGradients => false;

    /// <summary>Set once a backward pass has run through this node without retaining the graph.</summary>
    internal bool Freed { get; set; }

    public override string ToString() => Name;
}
