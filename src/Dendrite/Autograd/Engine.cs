using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// Runs the backward pass: orders the graph below a root topologically, then visits nodes from the root
/// down, handing each its accumulated output gradient and adding the gradients it returns into its inputs
/// (into the next node's pending gradient, or into a leaf's <see cref="Tensor.Grad"/>). Fan-out therefore
/// accumulates, as the chain rule's sum over paths requires.
/// </summary>
public static class Engine
{
    /// <summary>Back-propagates <paramref name="gradient"/> (dL/d<paramref name="root"/>) through the graph.</summary>
    public static void Backward(Tensor root, Tensor gradient, bool retainGraph = false)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(gradient);
        if (!root.RequiresGrad)
            throw new InvalidOperationException(
                "Backward: this tensor does not require a gradient and has no graph; set RequiresGrad on its inputs");
        if (gradient.Shape != root.Shape)
            throw new ArgumentException($"Backward: the gradient has shape {gradient.Shape} but the tensor has shape {root.Shape}");

        using var noGrad = GradMode.NoGrad();
        if (root.GradFn is null)
        {
            root.AccumulateGrad(gradient);
            return;
        }

        // The sort's lists are reused from one backward pass to the next (a training step would otherwise
        // allocate them every time); a nested pass on the same thread (a custom node calling Backward) takes
        // fresh ones.
        var work = spare ?? new Workspace();
        spare = null;
        try
        {
            Run(root.GradFn, gradient, retainGraph, work);
        }
        finally
        {
            // A huge graph's lists are left to the collector rather than held by the thread for good.
            bool keep = work.Order.Count <= 1 << 16;
            work.Clear();
            if (keep) spare = work;
        }
    }

    [ThreadStatic] private static Workspace? spare;

    private sealed class Workspace
    {
        public readonly List<Node> Order = [];
        public readonly HashSet<Node> Visited = new(ReferenceEqualityComparer.Instance);
        public readonly Stack<(Node Node, int NextInput)> Stack = new();
        public readonly Dictionary<Node, Tensor> Pending = new(ReferenceEqualityComparer.Instance);

        public void Clear()
        {
            // Clear keeps the capacity (the point of reusing) and drops references to the graph.
            Order.Clear();
            Visited.Clear();
            Stack.Clear();
            Pending.Clear();
        }
    }

    private static void Run(Node rootNode, Tensor gradient, bool retainGraph, Workspace work)
    {
        var order = TopologicalOrder(rootNode, work);
        var pending = work.Pending;
        pending[rootNode] = gradient;
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var node = order[k];
            if (!pending.Remove(node, out var gradOut)) continue;
            node.DeliverRetained(gradOut);
            node.CheckInputsUnchanged();
            var gradIn = node.Backward(gradOut);
            var inputs = node.InputArray;
            for (int i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                var g = gradIn[i];
                if (input is null || g is null || !input.RequiresGrad) continue;
                if (g.Shape != input.Shape)
                    throw new InvalidOperationException(
                        $"{node.Name}: returned a gradient of shape {g.Shape} for an input of shape {input.Shape}");
                if (input.GradFn is { } next)
                    pending[next] = pending.TryGetValue(next, out var acc) ? acc + g : g;
                else
                    input.AccumulateGrad(g);
            }
            if (!retainGraph) node.Freed = true;
        }
    }

    /// <summary>Nodes ordered so that every node comes after the nodes that produced its inputs.</summary>
    /// <remarks>Returned in post-order: walk it from the end.</remarks>
    private static List<Node> TopologicalOrder(Node root, Workspace work)
    {
        // Iterative depth-first search (deep graphs, such as long RNN unrolls, would overflow recursion).
        var postOrder = work.Order;
        var visited = work.Visited;
        var stack = work.Stack;
        CheckNotFreed(root);
        visited.Add(root);
        stack.Push((root, 0));
        while (stack.Count > 0)
        {
            var (node, next) = stack.Pop();
            if (next < node.InputArray.Length)
            {
                stack.Push((node, next + 1));
                if (node.InputArray[next] is { GradFn: { } child } && visited.Add(child))
                {
                    CheckNotFreed(child);
                    stack.Push((child, 0));
                }
            }
            else
            {
                postOrder.Add(node);
            }
        }
        return postOrder;
    }

    private static void CheckNotFreed(Node node)
    {
        if (node.Freed)
            throw new InvalidOperationException(
                $"Backward: the graph through {node.Name} was already used by a backward pass and freed; " +
                "call Backward(retainGraph: true) the first time to go backward through it again");
    }
}
