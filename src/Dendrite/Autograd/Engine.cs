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

    /// <summary>How many gradients the last backward pass on this thread handed back to the pool early (for tests and diagnostics).</summary>
    [field: ThreadStatic] internal static int LastPassReleased { get; private set; }

    private sealed class Workspace
    {
        public readonly List<Node> Order = [];
        public readonly HashSet<Node> Visited = new(ReferenceEqualityComparer.Instance);
        public readonly Stack<(Node Node, int NextInput)> Stack = new();
        public readonly Dictionary<Node, Tensor> Pending = new(ReferenceEqualityComparer.Instance);
        public readonly GradientMemory Memory = new();

        public void Clear()
        {
            // Clear keeps the capacity (the point of reusing) and drops references to the graph.
            Order.Clear();
            Visited.Clear();
            Stack.Clear();
            Pending.Clear();
            Memory.Clear();
        }
    }

    /// <summary>
    /// Hands the pooled memory of an intermediate gradient back to the buffer pool as soon as the pass is done
    /// with it, instead of when the step's <see cref="TensorScope"/> ends: a deep network's backward pass then
    /// holds two or three gradients of a layer's size at a time rather than one per layer (PyTorch frees them
    /// the same way, by reference count).
    /// </summary>
    /// <remarks>
    /// Only memory that the engine alone can reach is released: pooled storage of the innermost scope, made
    /// on this thread after the pass began (so neither the caller's root gradient nor anything of the forward
    /// pass), held by no pending gradient (a node may return a view of, or the very tensor, it was given),
    /// never seen by a node that may keep a reference (a custom <see cref="Function"/>, a module's backward
    /// hook: <see cref="Node.MayKeepGradients"/>), and not kept or pinned since (<see cref="Storage.Shared"/>).
    /// Retained gradients and leaves' gradients are copies, so handing a gradient to them keeps nothing.
    /// Any later use of a released gradient throws, as it would after the scope.
    /// </remarks>
    private sealed class GradientMemory
    {
        private readonly Dictionary<Storage, int> pendingOn = new(ReferenceEqualityComparer.Instance);
        private readonly HashSet<Storage> kept = new(ReferenceEqualityComparer.Instance);
        private readonly List<Storage> unheld = [];
        private TensorScope? scope;
        private long firstSerial;

        public int Released { get; private set; }

        public void Begin()
        {
            Released = 0;
            scope = TensorScope.Current;
            firstSerial = Storage.LastSerial + 1;
        }

        private bool Tracks(Storage s) => scope is not null && s.Serial >= firstSerial && ReferenceEquals(s.Owner, scope);

        /// <summary>A pending gradient now refers to <paramref name="t"/>'s memory.</summary>
        public void Held(Tensor t)
        {
            var s = t.Storage;
            if (Tracks(s)) pendingOn[s] = pendingOn.GetValueOrDefault(s) + 1;
        }

        /// <summary>A pending gradient on <paramref name="t"/>'s memory was taken out (consumed or summed).</summary>
        public void Unheld(Tensor t)
        {
            var s = t.Storage;
            if (!Tracks(s)) return;
            int n = pendingOn.GetValueOrDefault(s) - 1;
            if (n > 0) pendingOn[s] = n;
            else pendingOn.Remove(s);
            unheld.Add(s);
        }

        /// <summary><paramref name="t"/> was used and dropped without becoming a pending gradient.</summary>
        public void Dropped(Tensor t)
        {
            if (Tracks(t.Storage)) unheld.Add(t.Storage);
        }

        /// <summary><paramref name="t"/>'s memory may be referred to by code the engine cannot see.</summary>
        public void Keep(Tensor? t)
        {
            if (t is not null && Tracks(t.Storage)) kept.Add(t.Storage);
        }

        /// <summary>Releases what was dropped since the last call and is held by nothing the engine knows of.</summary>
        public void ReleaseUnheld()
        {
            foreach (var s in unheld)
                if (!s.Shared && !s.IsReleased && ReferenceEquals(s.Owner, scope) && !pendingOn.ContainsKey(s) && !kept.Contains(s))
                {
                    s.Release();
                    Released++;
                }
            unheld.Clear();
        }

        public void Clear()
        {
            pendingOn.Clear();
            kept.Clear();
            unheld.Clear();
            scope = null;
        }
    }

    private static void Run(Node rootNode, Tensor gradient, bool retainGraph, Workspace work)
    {
        var order = TopologicalOrder(rootNode, work);
        var pending = work.Pending;
        var memory = work.Memory;
        memory.Begin();
        pending[rootNode] = gradient;
        for (int k = order.Count - 1; k >= 0; k--)
        {
            var node = order[k];
            if (!pending.Remove(node, out var gradOut)) continue;
            node.DeliverRetained(gradOut);
            node.CheckInputsUnchanged();
            var gradIn = node.Backward(gradOut);
            bool keeps = node.MayKeepGradients;
            if (keeps) memory.Keep(gradOut);
            var inputs = node.InputArray;
            for (int i = 0; i < inputs.Length; i++)
            {
                var input = inputs[i];
                var g = gradIn[i];
                if (keeps) memory.Keep(g);
                if (input is null || g is null || !input.RequiresGrad) continue;
                if (g.Shape != input.Shape)
                    throw new InvalidOperationException(
                        $"{node.Name}: returned a gradient of shape {g.Shape} for an input of shape {input.Shape}");
                if (input.GradFn is { } next)
                {
                    if (pending.TryGetValue(next, out var acc))
                    {
                        var sum = acc + g;
                        memory.Held(sum);
                        memory.Unheld(acc);
                        memory.Dropped(g);
                        pending[next] = sum;
                    }
                    else
                    {
                        memory.Held(g);
                        pending[next] = g;
                    }
                }
                else
                {
                    input.AccumulateGrad(g);
                    memory.Dropped(g);
                }
            }
            memory.Unheld(gradOut);
            // Only after every gradient of the node is placed: one of them may be a view of another.
            memory.ReleaseUnheld();
            if (!retainGraph) node.Freed = true;
        }
        LastPassReleased = memory.Released;
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
