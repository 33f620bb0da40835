using Dendrite.Kernels;

namespace Dendrite.Tensors;

/// <summary>
/// The memory behind a tensor and all of its views. Memory allocated inside a <see cref="TensorScope"/>
/// comes from the buffer pool and goes back to it when the scope ends; after that, any use of a tensor
/// on it fails with a clear error instead of reading recycled numbers.
/// </summary>
/// <remarks>
/// The scope that releases a storage may also reuse the Storage object itself (see
/// <see cref="TensorScope"/>), but only once every tensor on it has been switched to <see cref="Dead"/>;
/// a storage that some tensor outside the scope's reach may still point at is marked <see cref="Shared"/>
/// and is never reused.
/// </remarks>
internal sealed class Storage
{
    private const int SpareLimit = 4096;
    [ThreadStatic] private static Stack<Storage>? spare;
    [ThreadStatic] private static long nextSerial;

    private float[]? array;
    private bool pooled;

    private Storage(float[]? array, bool pooled)
    {
        this.array = array;
        this.pooled = pooled;
    }

    /// <summary>
    /// What a tensor recycled by its scope points at: every read fails, as it did on the released storage
    /// it replaced.
    /// </summary>
    public static Storage Dead { get; } = new(null, pooled: false);

    /// <summary>Whether the memory came from the buffer pool (so it lives only as long as a scope).</summary>
    public bool Pooled => pooled;

    /// <summary>
    /// Something a kernel derived from this memory and keeps for the next call (a layer's weights packed for
    /// the GEMM, see <see cref="PackedWeights"/>); it records the <see cref="Version"/> it was made from.
    /// </summary>
    public object? KernelCache { get; set; }

    /// <summary>The scope that releases this storage, or null.</summary>
    public TensorScope? Owner { get; private set; }

    /// <summary>
    /// Set when a tensor on this storage may be out of its scope's reach (kept, disowned, made on another
    /// thread, stored as a gradient): the Storage object is then never reused.
    /// </summary>
    public bool Shared { get; set; }

    /// <summary>Fresh zero-filled memory: pooled and owned by the current scope if there is one.</summary>
    public static Storage Allocate(int length) => Rent(length, clear: true);

    /// <summary>
    /// Like <see cref="Allocate"/> but not zero-filled: only for kernels that write every element before
    /// anything reads it.
    /// </summary>
    public static Storage AllocateUninitialized(int length) => Rent(length, clear: false);

    private static Storage Rent(int length, bool clear)
    {
        var scope = TensorScope.Current;
        if (scope is null)
            return new Storage(length == 0 ? [] : clear ? new float[length] : GC.AllocateUninitializedArray<float>(length), pooled: false);
        Storage storage;
        if (spare is { Count: > 0 } stack)
        {
            storage = stack.Pop();
            storage.array = BufferPool.Rent(length, clear);
            storage.pooled = true;
        }
        else
        {
            storage = new Storage(BufferPool.Rent(length, clear), pooled: true);
        }
        storage.Serial = ++nextSerial;
        scope.Own(storage);
        return storage;
    }

    /// <summary>
    /// Numbers the pooled storages of a thread in the order they were made (0 for any other): the autograd
    /// engine compares it with <see cref="LastSerial"/> taken when a backward pass began, to tell the
    /// gradients made during the pass (which only it holds) from tensors that existed before.
    /// </summary>
    public long Serial { get; private set; }

    /// <summary>The <see cref="Serial"/> of the last pooled storage made on this thread.</summary>
    public static long LastSerial => nextSerial;

    /// <summary>Fresh zero-filled memory that belongs to no scope (parameters, buffers, gradients of leaves).</summary>
    public static Storage AllocateUnscoped(int length) => new(length == 0 ? [] : new float[length], pooled: false);

    public float[] Array => array ?? throw new ObjectDisposedException(nameof(Tensor),
        "Tensor: its memory was returned to the pool when the TensorScope that created it ended; " +
        "keep a tensor past its scope with scope.Keep(tensor) or Clone() it outside the scope");

    public bool IsReleased => array is null;

    /// <summary>
    /// Bumped by every in-place write (Fill_, Add_, Mul_, CopyFrom_, optimizer steps), so the autograd
    /// engine can tell that a value a node saved has changed since (PyTorch's version counter). Never
    /// reset, not even when the object is reused.
    /// </summary>
    public int Version { get; private set; }

    public void MarkModified() => Version++;

    /// <summary>Records the scope that now releases this storage (null: none).</summary>
    public void SetOwner(TensorScope? owner) => Owner = owner;

    /// <summary>Ends this memory's life: pooled arrays go back to the pool.</summary>
    public void Release()
    {
        KernelCache = null;
        if (array is null) return;
        if (pooled) BufferPool.Return(array);
        array = null;
    }

    /// <summary>Makes this released storage available to <see cref="Allocate"/> (no tensor may point at it any more).</summary>
    public void Recycle()
    {
        if (array is not null || Shared || ReferenceEquals(this, Dead)) return;
        Owner = null;
        var stack = spare ??= new Stack<Storage>();
        if (stack.Count < SpareLimit) stack.Push(this);
    }
}
