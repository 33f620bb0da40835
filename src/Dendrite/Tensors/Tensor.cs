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
/// <remarks>
/// The partial files hold the ops by family (Creation, Views, Elementwise, Activations, Reduction,
/// LinearAlgebra, Softmax, Indexing, Conv, Format), how ops join the graph (Autograd), how a leaf's gradient
/// is kept (Gradients), and the reuse of Tensor objects inside a <see cref="TensorScope"/> (Reuse).
/// </remarks>
public partial class Tensor
{
    // The elements live in Storage, shared by views; Offset and the strides say where this view's elements
    // are in it. (Not readonly: a scope may reuse this object for a later op's result, see Tensor.Reuse.cs.)
    internal Storage Storage;
    internal int Offset;
    internal int[] StridesArray;
    private bool requiresGrad;
    private Tensor? grad;

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
            ApplyPendingZeroGrad();
            return grad;
        }
        set => SetGrad(value);
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

    /// <summary>A new contiguous, zero-filled tensor of the given shape.</summary>
    internal Tensor(Shape shape) : this(Storage.Allocate(shape.Numel), shape, shape.SharedContiguousStrides, 0)
    {
    }

    /// <summary>A new contiguous tensor on the given (fresh) storage.</summary>
    internal Tensor(Shape shape, Storage storage) : this(storage, shape, shape.SharedContiguousStrides, 0)
    {
    }

    /// <summary>A view over existing storage. Ops make their results with <see cref="Make"/> and <see cref="MakeView"/> instead.</summary>
    internal Tensor(Storage storage, Shape shape, int[] strides, int offset)
    {
        Storage = storage;
        Shape = shape;
        StridesArray = strides;
        Offset = offset;
        storage.Owner?.Track(this);
    }

    /// <summary>The storage array (throws if a <see cref="TensorScope"/> has released it).</summary>
    internal float[] Data => Storage.Array;

    internal Span<float> Span => Data.AsSpan(Offset);

    internal ReadOnlySpan<int> ShapeSpan => Shape.AsSpan();

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
