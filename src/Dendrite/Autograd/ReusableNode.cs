using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// A node type recorded on every training step (Linear, ReLU, Reshape, Conv2d, MaxPool2d, cross-entropy)
/// whose objects are reused: when a scope opened with <c>reuseObjects</c> retires the node's output, the
/// node goes to a per-thread pool, and the next op of the same type re-arms it instead of allocating one.
/// Such a node reads its tensors from <see cref="Node.Inputs"/> (which re-arming replaces) rather than
/// keeping its own references, and returns its gradients in one array of its own, which the engine reads at once.
/// </summary>
/// <typeparam name="TSelf">The node type itself: each type has its own pool.</typeparam>
public abstract class ReusableNode<TSelf> : Node where TSelf : ReusableNode<TSelf>
{
    // Bounded, so a one-off huge graph is not held on to.
    private const int PoolLimit = 1024;
    [ThreadStatic] private static Stack<TSelf>? pool;

    private readonly Tensor?[] grads;

    private protected ReusableNode(params Tensor?[] inputs) : base(inputs) => grads = new Tensor?[inputs.Length];

    /// <summary>Input <paramref name="i"/> of the op this node was last armed for.</summary>
    private protected Tensor? Input(int i) => InputArray[i];

    /// <summary>A retired node re-armed for input <paramref name="a"/>, or null when there is none to take.</summary>
    private protected static TSelf? Take(Tensor? a)
    {
        var node = TakeRetired();
        node?.Reuse(a);
        return node;
    }

    /// <summary>A retired node re-armed for inputs <paramref name="a"/>, <paramref name="b"/>, <paramref name="c"/>, or null.</summary>
    private protected static TSelf? Take(Tensor? a, Tensor? b, Tensor? c)
    {
        var node = TakeRetired();
        node?.Reuse(a, b, c);
        return node;
    }

    // Only inside a scope, where the node's output will be retired in turn.
    private static TSelf? TakeRetired() =>
        TensorScope.Current is not null && pool is { Count: > 0 } stack ? stack.Pop() : null;

    /// <summary>The node's gradient array holding <paramref name="d0"/>, for a one-input node's <see cref="Node.Backward"/>.</summary>
    private protected Tensor?[] Gradients(Tensor? d0)
    {
        grads[0] = d0;
        return grads;
    }

    /// <summary>The node's gradient array holding the gradients of its three inputs.</summary>
    private protected Tensor?[] Gradients(Tensor? d0, Tensor? d1, Tensor? d2)
    {
        grads[0] = d0;
        grads[1] = d1;
        grads[2] = d2;
        return grads;
    }

    /// <summary>Drops what the node saved besides its inputs, before it goes back to the pool; nothing by default.</summary>
    private protected virtual void DropSaved()
    {
    }

    private protected sealed override void OnRetired()
    {
        Array.Clear(grads);
        DropSaved();
        var stack = pool ??= new Stack<TSelf>();
        if (stack.Count < PoolLimit) stack.Push((TSelf)this);
    }
}
