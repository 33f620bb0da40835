namespace Dendrite.Tensors;

// How ops make their result tensors, and how a TensorScope opened with reuseObjects hands the Tensor objects
// it retired to later ops on the same thread, so that a steady-state training step allocates next to nothing.
public partial class Tensor
{
    private const int SpareLimit = 8192;
    [ThreadStatic] private static Stack<Tensor>? spare;

    /// <summary>A new contiguous, zero-filled tensor (a retired Tensor object when one is free).</summary>
    internal static Tensor Make(Shape shape) => MakeView(Storage.Allocate(shape.Numel), shape, shape.SharedContiguousStrides, 0);

    /// <summary>
    /// A contiguous tensor whose elements the caller's kernel overwrites, every one of them: inside a
    /// <see cref="TensorScope"/> its recycled buffer is not cleared first (a pass over memory saved).
    /// </summary>
    internal static Tensor Uninitialized(Shape shape) =>
        MakeView(Storage.AllocateUninitialized(shape.Numel), shape, shape.SharedContiguousStrides, 0);

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
}
