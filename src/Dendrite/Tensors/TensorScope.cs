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

    // The list of owned storage is handed from each scope to the next one on the thread, so opening a
    // scope every step does not grow a new list every step.
    [ThreadStatic] private static List<Storage>? spareList;

    private List<Storage> owned;
    private readonly TensorScope? parent;
    private readonly int threadId = Environment.CurrentManagedThreadId;
    private bool disposed;

    /// <summary>Opens a scope on the current thread; it stays innermost until disposed.</summary>
    public TensorScope()
    {
        owned = spareList ?? [];
        spareList = null;
        parent = current;
        current = this;
    }

    /// <summary>The innermost open scope of this thread, or null.</summary>
    internal static TensorScope? Current => current;

    internal void Own(Storage storage) => owned.Add(storage);

    /// <summary>
    /// Takes <paramref name="tensor"/>'s memory (shared with its views) out of this scope: it moves to the
    /// enclosing scope, or to the garbage collector when there is none. Returns the tensor.
    /// </summary>
    public Tensor Keep(Tensor tensor)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ObjectDisposedException.ThrowIf(disposed, this);
        if (owned.Remove(tensor.Storage)) parent?.Own(tensor.Storage);
        return tensor;
    }

    /// <summary>Takes <paramref name="tensor"/>'s memory out of every open scope, for state that outlives them (module buffers).</summary>
    internal static void Disown(Tensor tensor)
    {
        for (var scope = current; scope is not null; scope = scope.parent) scope.owned.Remove(tensor.Storage);
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
        owned.Clear();
        if (owned.Capacity <= 1 << 16) spareList = owned;
        owned = null!; // a disposed scope owns nothing (Keep and Own are never reached after Dispose)
    }
}
