namespace Dendrite.Tensors;

/// <summary>
/// A region whose intermediate tensors recycle their memory: every tensor created on this thread while
/// the scope is innermost takes a pooled buffer, and the buffers go back to the pool when the scope is
/// disposed. A training step wrapped in a scope therefore allocates (almost) no new arrays after its
/// first run — the <see cref="Training.Trainer"/> does this for every batch. Parameters, gradients of
/// leaves and optimizer state never belong to a scope. Using a tensor after its scope ended throws; call
/// <see cref="Keep"/> for a result you need afterwards. Scopes nest; without one, tensors are ordinary
/// garbage-collected objects, so correctness never depends on using scopes.
/// </summary>
/// <remarks>
/// A scope opened with <c>reuseObjects: true</c> (the <see cref="Training.Trainer"/> opens one per batch)
/// goes further: when it ends, the Tensor objects on its released memory (and their autograd nodes) are
/// reused by later operations on the same thread, so that a steady-state step allocates next to nothing.
/// Until then, any use of such a tensor throws; a tensor kept with <see cref="Keep"/>, one whose memory
/// moved out of the scope, or one stored as a parameter's <see cref="Tensor.Grad"/> is never reused. A
/// reference held past such a scope without <see cref="Keep"/> is a mistake whose error can be lost once
/// the object is reused (it then reads a later step's numbers), which is why reuse is opt-in; the
/// environment variable <c>DENDRITE_RECYCLE_TENSORS=0</c> turns it off everywhere, and every such use throws.
/// </remarks>
/// <example><code>
/// using (var scope = new TensorScope())
/// {
///     var loss = lossFn.Forward(model.Forward(x), y);
///     loss.Backward();
///     optimizer.Step();
///     total += loss.Item();
/// }
/// </code></example>
public sealed class TensorScope : IDisposable
{
    [ThreadStatic] private static TensorScope? current;

    // The lists are handed from each scope to the next one on the thread, so opening a scope every step
    // does not grow new lists every step.
    [ThreadStatic] private static List<Storage>? spareStorageList;
    [ThreadStatic] private static List<Tensor>? spareTensorList;

    internal static readonly bool RecyclingEnabled = Environment.GetEnvironmentVariable("DENDRITE_RECYCLE_TENSORS") != "0";

    private List<Storage> owned;
    private List<Tensor> tensors; // every tensor made on this thread on memory this scope owns
    private readonly TensorScope? parent;
    private readonly int threadId = Environment.CurrentManagedThreadId;
    private bool disposed;
    private bool recycleObjects;

    /// <summary>Opens a scope on the current thread; it stays innermost until disposed.</summary>
    public TensorScope() : this(reuseObjects: false)
    {
    }

    /// <summary>
    /// Opens a scope on the current thread; with <paramref name="reuseObjects"/>, the Tensor and node objects
    /// of its released tensors are reused after it ends (see the remarks: only for code that keeps no
    /// reference to a tensor of the scope past its end without <see cref="Keep"/>).
    /// </summary>
    public TensorScope(bool reuseObjects)
    {
        recycleObjects = reuseObjects && RecyclingEnabled;
        owned = spareStorageList ?? [];
        spareStorageList = null;
        tensors = spareTensorList ?? [];
        spareTensorList = null;
        parent = current;
        current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    internal static TensorScope? Current => current;

    internal void Own(Storage storage)
    {
        owned.Add(storage);
        storage.SetOwner(this);
    }

    /// <summary>Records a tensor made on memory this scope owns, so the scope can retire it with the memory.</summary>
    internal void Track(Tensor tensor)
    {
        if (Environment.CurrentManagedThreadId == threadId && !disposed) tensors.Add(tensor);
        else tensor.Storage.Shared = true; // out of reach: its storage object must never be reused
    }

    /// <summary>
    /// Takes <paramref name="tensor"/>'s memory (shared with its views) out of this scope: it moves to the
    /// enclosing scope, or to the garbage collector when there is none. Returns the tensor.
    /// </summary>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(disposed, this);
        Pin(tensor);
        if (owned.Remove(tensor.Storage))
        {
            if (parent is null) tensor.Storage.SetOwner(null);
            else parent.Own(tensor.Storage);
        }
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/>'s memory out of every open scope, for state that outlives them (module buffers).</summary>
    internal static void Disown(Tensor tensor)
    {
        for (var scope = current; scope is not null; scope = scope.parent)
        {
            scope.Pin(tensor);
            scope.owned.Remove(tensor.Storage);
        }
        tensor.Storage.SetOwner(null);
    }

    /// <summary>
    /// Marks a tensor that outlives the scope: its storage object is never reused, and if it has a graph,
    /// nothing of this scope is (the graph's nodes and the tensors they saved must stay what they are).
    /// </summary>
    internal void Pin(Tensor tensor)
    {
        tensor.Storage.Shared = true;
        if (tensor.GradFn is not null) recycleObjects = false;
    }

    /// <summary>Pins a tensor that library state keeps past the open scopes (a leaf's gradient set by the user).</summary>
    internal static void Escape(Tensor tensor)
    {
        if (tensor.Storage.Owner is { } owner) owner.Pin(tensor);
        else tensor.Storage.Shared = true;
    }

    /// <summary>Runs <paramref name="allocate"/> with no scope active, so what it creates outlives every scope.</summary>
    internal static T Untracked<T>(Func<T> allocate)
    {
        var saved = current;
        current = null;
        try
        {
            return allocate();
        }
        finally
        {
            current = saved;
        }
    }

    /// <summary>Returns every buffer created in this scope to the pool and makes the enclosing scope innermost again.</summary>
    public void Dispose()
    {
        if (disposed) return;
        if (Environment.CurrentManagedThreadId != threadId || current != this)
            throw new InvalidOperationException("TensorScope: scopes must be disposed on their own thread, innermost first");
        disposed = true;
        current = parent;
        foreach (var storage in owned) storage.Release();
        if (recycleObjects)
        {
            // Every tensor on memory released here is in `tensors` (a tensor made elsewhere marked the
            // storage Shared), so once they point at Storage.Dead the storage objects are free too.
            foreach (var tensor in tensors)
            {
                var storage = tensor.Storage;
                if (storage.Owner == this && storage.IsReleased && !storage.Shared) tensor.Retire();
            }
            foreach (var storage in owned) storage.Recycle();
        }
        owned.Clear();
        tensors.Clear();
        if (owned.Capacity <= 1 << 16) spareStorageList = owned;
        if (tensors.Capacity <= 1 << 16) spareTensorList = tensors;
        // A disposed scope owns nothing (Keep and Own are never reached after Dispose).
        owned = null!;
        tensors = null!;
    }
}
