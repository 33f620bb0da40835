using Dendrite.Kernels;

namespace Dendrite.Tensors;

/// <summary>
/// The memory behind a tensor and all of its views. Memory allocated inside a <see cref="TensorScope"/>
/// comes from the buffer pool and goes back to it when the scope ends; after that, any use of a tensor
/// on it fails with a clear error instead of reading recycled numbers.
/// </summary>
internal sealed class Storage
{
    private float[]? array;
    private readonly bool pooled;

    private Storage(float[] array, bool pooled)
    {
        this.array = array;
        this.pooled = pooled;
    }

    /// <summary>Fresh zero-filled memory: pooled and owned by the current scope if there is one.</summary>
    public static Storage Allocate(int length)
    {
        var scope = TensorScope.Current;
        if (scope is null) return new Storage(length == 0 ? [] : new float[length], pooled: false);
        var storage = new Storage(BufferPool.Rent(length), pooled: true);
        scope.Own(storage);
        return storage;
    }

    /// <summary>
    /// Like <see cref="Allocate"/> but not zero-filled: only for kernels that write every element before
    /// anything reads it.
    /// </summary>
    public static Storage AllocateUninitialized(int length)
    {
        var scope = TensorScope.Current;
        if (scope is null) return new Storage(length == 0 ? [] : GC.AllocateUninitializedArray<float>(length), pooled: false);
        var storage = new Storage(BufferPool.Rent(length, clear: false), pooled: true);
        scope.Own(storage);
        return storage;
    }

    /// <summary>Fresh zero-filled memory that belongs to no scope (parameters, buffers, gradients of leaves).</summary>
    public static Storage AllocateUnscoped(int length) => new(length == 0 ? [] : new float[length], pooled: false);

    public float[] Array => array ?? throw new ObjectDisposedException(nameof(Tensor),
        "Tensor: its memory was returned to the pool when the TensorScope that created it ended; " +
        "keep a tensor past its scope with scope.Keep(tensor) or Clone() it outside the scope");

    public bool IsReleased => array is null;

    /// <summary>
    /// Bumped by every in-place write (Fill_, Add_, Mul_, CopyFrom_, optimizer steps), so the autograd
    /// engine can tell that a value a node saved has changed since (PyTorch's version counter).
    /// </summary>
    public int Version { get; private set; }

    public void MarkModified() => Version++;

    /// <summary>Ends this memory's life: pooled arrays go back to the pool.</summary>
    public void Release()
    {
        if (array is null) return;
        if (pooled) BufferPool.Return(array);
        array = null;
    }
}
