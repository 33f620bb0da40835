using Dendrite.Tensors;

namespace Dendrite.Autograd;

// Retiring and re-arming node objects. A TensorScope opened with reuseObjects retires, when it ends, the
// tensors on the memory it released, and with each tensor the node that produced it, if the node belongs
// to that tensor alone; node types derived from ReusableNode then go back to a per-thread pool.
public abstract partial class Node
{
    // The tensor this node produced; a second one (never made by the library) stops the node's reuse.
    private Tensor? output;
    private bool sharedOutput;

    /// <summary>Called by <see cref="Tensor.WithGradFn"/>: remembers the tensor this node produced.</summary>
    internal void AttachOutput(Tensor tensor)
    {
        if (output is null) output = tensor;
        else if (!ReferenceEquals(output, tensor)) sharedOutput = true;
    }

    /// <summary>
    /// Called when the scope that made <paramref name="tensor"/> retires it: if this node belongs to that
    /// tensor alone, it is dropped from the graph and, for the node types that support it, kept for reuse
    /// by the next op of the same kind on this thread.
    /// </summary>
    internal void Retire(Tensor tensor)
    {
        if (!ReferenceEquals(output, tensor) || sharedOutput) return;
        output = null;
        retained = null;
        Array.Clear(inputs);
        OnRetired();
    }

    /// <summary>Drops what the node saved and offers it for reuse; nothing by default (the node is left to the GC).</summary>
    private protected virtual void OnRetired()
    {
    }

    /// <summary>Re-arms a retired node of one input for a new op (instead of constructing one).</summary>
    private protected void Reuse(Tensor? a)
    {
        inputs[0] = a;
        SaveInputVersions();
        Freed = false;
    }

    /// <summary>Re-arms a retired node of three inputs for a new op.</summary>
    private protected void Reuse(Tensor? a, Tensor? b, Tensor? c)
    {
        inputs[0] = a;
        inputs[1] = b;
        inputs[2] = c;
        SaveInputVersions();
        Freed = false;
    }
}
