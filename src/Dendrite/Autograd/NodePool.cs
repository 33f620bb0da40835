namespace Dendrite.Autograd;

/// <summary>
/// Retired nodes of one type, kept per thread for the next op of that type (a training step records the
/// same ops every time). Bounded, so a one-off huge graph is not held on to.
/// </summary>
internal static class NodePool<T> where T : Node
{
    private const int Limit = 1024;
    [ThreadStatic] private static Stack<T>? spare;

    /// <summary>A retired node, only inside a scope (where the node's tensor will be retired in turn), else null.</summary>
    public static T? Take() =>
        Tensors.TensorScope.Current is not null && spare is { Count: > 0 } stack ? stack.Pop() : null;

    public static void Return(T node)
    {
        var stack = spare ??= new Stack<T>();
        if (stack.Count < Limit) stack.Push(node);
    }
}
