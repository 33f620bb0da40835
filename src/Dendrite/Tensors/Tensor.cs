using Dendrite.Autograd;

namespace Dendrite.Tensors;

/// <summary>
/// An N-dimensional array of float32 values, row-major with strides, that can take part in reverse-mode
/// automatic differentiation. Views (Reshape, Transpose, Narrow, Expand, ...) share storage with the
/// tensor they come from. Operations record a <see cref="Node"/> in <see cref="GradFn"/> when grad mode
/// is on and some input has <see cref="RequiresGrad"/>; <see cref="Backward(bool)"/> then fills the
/// <see cref="Grad"/> of the leaves. The shape of torch.Tensor, in .NET casing. Not sealed only so that
/// <see cref="NN.Parameter"/> can be a tensor; it has no virtual members.
/// </summary>
public partial class Tensor
{
    // Storage is shared by views; Offset and strides say where this view's elements are in it. Not
    // readonly: a TensorScope retires the tensors on the memory it releases, and later ops reuse them.
    internal Storage Storage;
    internal int Offset;
    internal int[] StridesArray;
    private bool requiresGrad;
    private Tensor? grad;
    // Set by ZeroGrad: the gradient reads as zero, but the memset is deferred. The next backward pass
    // writes its gradient over the old values instead of adding to zeros (a full pass over every
    // parameter saved each step); anything else that reads Grad first gets it zero-filled.
    private bool gradZeroPending;

    private const int SpareLimit = 8192;
    [ThreadStatic] private static Stack<Tensor>? spare;

    /// <summary>A new contiguous, zero-filled tensor of the given shape.</summary>
    internal Tensor(Shape shape) : this(Storage.Allocate(shape.Numel), shape, shape.SharedContiguousStrides, 0)
    {
    }

    /// <summary>
    /// A contiguous tensor whose elements the caller's kernel overwrites, every one of them: inside a
    /// <see cref="TensorScope"/> its recycled buffer is not cleared first (a pass over memory saved).
    /// </summary>
    internal static Tensor Uninitialized(Shape shape) =>
        MakeView(Storage.AllocateUninitialized(shape.Numel), shape, shape.SharedContiguousStrides, 0);

    /// <summary>A new contiguous tensor on the given (fresh) storage.</summary>
    internal Tensor(Shape shape, Storage storage) : this(storage, shape, shape.SharedContiguousStrides, 0)
    {
    }

    /// <summary>A view over existing storage.</summary>
    internal Tensor(Storage storage, Shape shape, int[] strides, int offset)
    {
        Storage = storage;
        Shape = shape;
        StridesArray = strides;
        Offset = offset;
        storage.Owner?.Track(this);
    }

    /// <summary>A new contiguous, zero-filled tensor (a retired Tensor object when one is free).</summary>
    internal static Tensor Make(Shape shape) => MakeView(Storage.Allocate(shape.Numel), shape, shape.SharedContiguousStrides, 0);

    /// <summary>A view over existing storage (a retired Tensor object when one is free).</summary>
    internal static Tensor MakeView(Storage storage, Shape shape, int[] strides, int offset)
    {
        // Only a tensor that its scope will retire in turn takes a retired object, so that a reference
        // wrongly held past a scope can only ever meet another scope's temporaries, never a long-lived tensor.
        if (storage.Owner is null || spare is not { Count: > 0 } stack) return new Tensor(storage, shape, strides, offset);
        var t = stack.Pop();
        t.Storage = storage;
        t.Shape = shape;
        t.StridesArray = strides;
        t.Offset = offset;
        storage.Owner?.Track(t);
        return t;
    }

    /// <summary>
    /// Called by the scope that released this tensor's memory: points it at <see cref="Storage.Dead"/> (so a
    /// stale use throws as before), retires its node, and makes the object available to later ops.
    /// </summary>
    internal void Retire()
    {
        var node = GradFn;
        Storage = Storage.Dead;
        GradFn = null;
        grad = null;
        gradZeroPending = false;
        Name = null;
        requiresGrad = false;
        node?.Retire(this);
        if (GetType() != typeof(Tensor)) return;
        var stack = spare ??= new Stack<Tensor>();
        if (stack.Count < SpareLimit) stack.Push(this);
    }

    /// <summary>The sizes of the dimensions.</summary>
    public Shape Shape { get; private set; }

    /// <summary>Number of dimensions (0 for a scalar).</summary>
    public int Rank => Shape.Rank;

    /// <summary>Number of elements.</summary>
    public int Numel => Shape.Numel;

    /// <summary>Distance in elements between neighbours along each dimension.</summary>
    public IReadOnlyList<int> Strides => StridesArray;

    /// <summary>Size of dimension <paramref name="axis"/> (negative counts from the end).</summary>
    public int Size(int axis) => Shape[axis];

    /// <summary>True when the elements lie in storage in row-major order with no gaps.</summary>
    public bool IsContiguous
    {
        get
        {
            int expected = 1;
            for (int d = Rank - 1; d >= 0; d--)
            {
                int size = Shape[d];
                if (size == 1) continue;
                if (StridesArray[d] != expected) return false;
                expected *= size;
            }
            return true;
        }
    }

    /// <summary>
    /// Whether operations on this tensor are recorded for differentiation. Only leaves (tensors created by
    /// the user, not by an operation) can be switched; as in PyTorch, use <see cref="Detach"/> otherwise.
    /// </summary>
    public bool RequiresGrad
    {
        get => requiresGrad;
        set
        {
            if (!value && GradFn is not null)
                throw new InvalidOperationException(
                    $"RequiresGrad: cannot turn off gradients of a non-leaf tensor produced by {GradFn.Name}; use Detach()");
            requiresGrad = value;
        }
    }

    /// <summary>The accumulated gradient of a leaf after <see cref="Backward(bool)"/>, or null.</summary>
    public Tensor? Grad
    {
        get
        {
            if (gradZeroPending)
            {
                gradZeroPending = false;
                grad!.Fill_(0f);
            }
            return grad;
        }
        set
        {
            // A gradient outlives the step; if it was made inside a scope, that scope must not reuse it.
            if (value is not null) TensorScope.Escape(value);
            grad = value;
            gradZeroPending = false;
        }
    }

    /// <summary>
    /// Makes <see cref="Grad"/> read as zero without touching its memory until it is next used (in place,
    /// so its buffer is reused); nothing happens when there is no gradient.
    /// </summary>
    public void ZeroGrad() => gradZeroPending = grad is not null;

    /// <summary>
    /// For a node whose gradient for this tensor comes straight out of a GEMM: when this is a leaf that wants
    /// a gradient, its gradient buffer, to be written with the returned β (0: overwrite, on first use or after
    /// <see cref="ZeroGrad"/>; 1: add to what is there). The product then lands in <see cref="Grad"/> without a
    /// temporary and a copy (PyTorch's AccumulateGrad takes over the incoming buffer for the same reason), and
    /// the node hands the engine no gradient for this input. Null when the engine must route the gradient (not
    /// a leaf, or a gradient set by hand with another layout).
    /// </summary>
    internal Tensor? LeafGradTarget(out float beta)
    {
        beta = 1f;
        if (GradFn is not null || !requiresGrad) return null;
        if (grad is null)
        {
            // Fully written by the β = 0 product; a leaf's gradient outlives the step, so no scope owns it.
            grad = TensorScope.Untracked(() => Uninitialized(Shape));
            beta = 0f;
            return grad;
        }
        if (!grad.IsContiguous || grad.Shape != Shape) return null;
        if (gradZeroPending)
        {
            gradZeroPending = false;
            beta = 0f;
        }
        return grad;
    }

    /// <summary>Used by the engine: Grad += g, where a pending zero turns the sum into a copy.</summary>
    internal void AccumulateGrad(Tensor g)
    {
        if (grad is null)
        {
            // A leaf's gradient outlives the step (optimizers read it), so it never belongs to a TensorScope.
            grad = TensorScope.Untracked(g.Clone);
        }
        else if (gradZeroPending)
        {
            gradZeroPending = false;
            grad.CopyNoCheck(g);
        }
        else
        {
            grad.AddInPlace(g);
        }
    }

    /// <summary>The node that produced this tensor, or null for a leaf.</summary>
    public Node? GradFn { get; private set; }

    /// <summary>True for tensors not produced by a recorded operation.</summary>
    public bool IsLeaf => GradFn is null;

    /// <summary>Optional name, shown by printing and used in messages.</summary>
    public string? Name { get; set; }

    /// <summary>Sets <see cref="RequiresGrad"/> and returns this tensor, for fluent construction.</summary>
    public Tensor RequiresGrad_(bool value = true)
    {
        RequiresGrad = value;
        return this;
    }

    /// <summary>The storage array (throws if a <see cref="TensorScope"/> has released it).</summary>
    internal float[] Data => Storage.Array;

    internal Span<float> Span => Data.AsSpan(Offset);

    internal ReadOnlySpan<int> ShapeSpan => Shape.AsSpan();

    /// <summary>Links this freshly computed tensor to the node that produced it.</summary>
    internal Tensor WithGradFn(Node node)
    {
        GradFn = node;
        requiresGrad = true;
        node.AttachOutput(this);
        return this;
    }

    /// <summary>The value of a one-element tensor.</summary>
    public float Item()
    {
        if (Numel != 1)
            throw new InvalidOperationException($"Item: only a one-element tensor has an item, this one has shape {Shape}");
        return Data[Offset];
    }

    /// <summary>The elements in row-major order, copied out.</summary>
    public float[] ToArray()
    {
        if (IsContiguous) return Data.AsSpan(Offset, Numel).ToArray();
        return ContiguousNoGrad().ToArray();
    }

    /// <summary>The storage index of every element, in row-major order (for code that must touch single elements of a view).</summary>
    internal int[] ElementOffsets()
    {
        var result = new int[Numel];
        var coord = new int[Rank];
        for (int flat = 0; flat < result.Length; flat++)
        {
            int offset = Offset;
            for (int d = 0; d < Rank; d++) offset += coord[d] * StridesArray[d];
            result[flat] = offset;
            for (int d = Rank - 1; d >= 0; d--)
            {
                if (++coord[d] < Shape[d]) break;
                coord[d] = 0;
            }
        }
        return result;
    }
}
