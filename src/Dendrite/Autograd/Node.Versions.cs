using Dendrite.Tensors;

namespace Dendrite.Autograd;

// Version tracking, PyTorch's answer to in-place changes: every in-place write bumps its storage's version,
// a node remembers each input's version when it is made, and the engine refuses to run a node whose input
// has changed since (the node's saved values would no longer match it, so its gradient would be wrong).
public abstract partial class Node
{
    // Nearly every op has at most three inputs, so their versions live in fields and only wider ops (Cat)
    // pay for an array: nodes are made on every op.
    private int version0, version1, version2;
    private int[]? moreVersions;

    /// <summary>Remembers the storage version of every input (when the node is made or re-armed).</summary>
    private void SaveInputVersions()
    {
        if (inputs.Length > 0) version0 = VersionOf(inputs[0]);
        if (inputs.Length > 1) version1 = VersionOf(inputs[1]);
        if (inputs.Length > 2) version2 = VersionOf(inputs[2]);
        if (inputs.Length > 3)
        {
            moreVersions ??= new int[inputs.Length - 3];
            for (int i = 3; i < inputs.Length; i++) moreVersions[i - 3] = VersionOf(inputs[i]);
        }
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
}
