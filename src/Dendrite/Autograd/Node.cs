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

    private readonly int[] versions;

    /// <summary>Creates a node over the differentiable inputs of an op (null for an input that is not one).</summary>
    protected Node(params Tensor?[] inputs)
    {
        this.inputs = inputs;
        versions = new int[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) versions[i] = inputs[i]?.Storage.Version ?? 0;
    }

    /// <summary>Throws if an input was changed in place after this node saved it (its gradient would be wrong).</summary>
    internal void CheckInputsUnchanged()
    {
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i] is { } t && t.Storage.Version != versions[i])
                throw new InvalidOperationException(
                    $"Backward: input {i} of {Name} (shape {t.Shape}) was modified in place after the forward pass used it, " +
                    "so its gradient would be wrong; change a Clone() instead, or run the forward pass again");
    }

    /// <summary>The op's differentiable inputs, in the order <see cref="Backward"/> returns gradients.</summary>
    public IReadOnlyList<Tensor?> Inputs => inputs;

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
