using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// One recorded operation in the computational graph: it remembers its inputs (and whatever it saved
/// from the forward pass) and, given the gradient of the loss with respect to its output, returns the
/// gradient with respect to each input — the upstream gradient times the op's local gradient. One sealed
/// subclass per primitive, named like PyTorch's (<c>MulBackward</c>, <c>MatMulBackward</c>, ...).
/// </summary>
public abstract class Node
{
    private readonly Tensor?[] inputs;

    // The storage version of each input when the node was made. Nearly every op has at most three inputs,
    // so those live in fields and only wider ops (Cat) pay for an array: nodes are made on every op.
    private int version0, version1, version2;
    private readonly int[]? moreVersions;

    // The tensor this node produced; a second one (never made by the library) stops the node's reuse.
    private Tensor? output;
    private bool sharedOutput;

    /// <summary>Creates a node over the differentiable inputs of an op (null for an input that is not one).</summary>
    protected Node(params Tensor?[] inputs)
    {
        this.inputs = inputs;
        if (inputs.Length > 0) version0 = VersionOf(inputs[0]);
        if (inputs.Length > 1) version1 = VersionOf(inputs[1]);
        if (inputs.Length > 2) version2 = VersionOf(inputs[2]);
        if (inputs.Length > 3)
        {
            moreVersions = new int[inputs.Length - 3];
            for (int i = 3; i < inputs.Length; i++) moreVersions[i - 3] = VersionOf(inputs[i]);
        }
    }

    /// <summary>
    /// Re-arms a retired node of one input for a new op (the reusable nodes call this instead of the
    /// constructor; see <see cref="Retire"/>).
    /// </summary>
    private protected void Reuse(Tensor? a)
    {
        inputs[0] = a;
        version0 = VersionOf(a);
        Freed = false;
    }

    /// <summary>Re-arms a retired node of three inputs for a new op.</summary>
    private protected void Reuse(Tensor? a, Tensor? b, Tensor? c)
    {
        inputs[0] = a;
        inputs[1] = b;
        inputs[2] = c;
        version0 = VersionOf(a);
        version1 = VersionOf(b);
        version2 = VersionOf(c);
        Freed = false;
    }

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
        Array.Clear(inputs);
        OnRetired();
    }

    /// <summary>Drops what the node saved and offers it for reuse; nothing by default (the node is left to the GC).</summary>
    private protected virtual void OnRetired()
    {
    }

    private static int VersionOf(Tensor? t) => t?.Storage.Version ?? 0;

    private int SavedVersion(int i) => i switch { 0 => version0, 1 => version1, 2 => version2, _ => moreVersions![i - 3] };

    /// <summary>Throws if an input was changed in place after this node saved it (its gradient would be wrong).</summary>
    internal void CheckInputsUnchanged()
    {
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is { } t && t.Storage.Version != SavedVersion(i))
                throw new InvalidOperationException(
                    $"Backward: input {i} of {Name} (shape {t.Shape}) was modified in place after the forward pass used it, " +
                    "so its gradient would be wrong; change a Clone() instead, or run the forward pass again");
    }

    /// <summary>The op's differentiable inputs, in the order <see cref="Backward"/> returns gradients.</summary>
    public IReadOnlyList<Tensor?> Inputs => inputs;

    internal Tensor?[] InputArray => inputs;

    /// <summary>The name shown when the graph is printed, e.g. <c>MulBackward</c>.</summary>
    public virtual string Name => GetType().Name;

    /// <summary>Set once a backward pass has run through this node without retaining the graph.</summary>
    internal bool Freed { get; set; }

    /// <summary>
    /// Given dL/d(output), returns dL/d(input) for each entry of <see cref="Inputs"/>, shaped like that
    /// input, or null where an input does not need one. Runs with grad mode off.
    /// </summary>
    protected internal abstract Tensor?[] Backward(Tensor gradOutput);

    /// <summary>True when input <paramref name="i"/> exists and wants a gradient.</summary>
    protected bool NeedsGrad(int i) => inputs[i] is { RequiresGrad: true };

    public override string ToString() => Name;
}
