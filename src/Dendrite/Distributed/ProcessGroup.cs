namespace Dendrite.Distributed;

/// <summary>
/// The processes that train one model together, and the collective operations data-parallel training needs
/// (the subset of <c>torch.distributed</c>'s that <see cref="DataParallel"/> uses). Every member calls the same
/// collectives in the same order with buffers of the same length; each call returns once all have taken part.
/// <see cref="LocalProcessGroup"/> runs the members as threads of one process (for tests and for trying things
/// out); the <c>Dendrite.Distributed</c> package's <c>MpiProcessGroup</c> runs them as processes under
/// <c>mpirun</c>, on one machine or many.
/// </summary>
/// <remarks>
/// A collective that has not completed after <see cref="Timeout"/> throws <see cref="ProcessGroupException"/>:
/// a member that died or hangs then stops the others within a bounded time instead of leaving them waiting
/// for ever. After such a failure the group is <see cref="Broken"/> and every later call throws at once.
/// </remarks>
public abstract class ProcessGroup : IDisposable
{
    private TimeSpan timeout = TimeSpan.FromSeconds(20);

    /// <summary>This member's index, 0 to <see cref="Size"/> − 1. Rank 0 leads: it writes files and logs.</summary>
    public abstract int Rank { get; }

    /// <summary>The number of members (the world size).</summary>
    public abstract int Size { get; }

    /// <summary>
    /// How long one collective may wait for the other members (default 20 s: far above a training step, and
    /// short enough that a run whose peer died ends within half a minute).
    /// </summary>
    public TimeSpan Timeout
    {
        get => timeout;
        set
        {
            if (value <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(value), $"ProcessGroup: the timeout must be positive, got {value}");
            timeout = value;
        }
    }

    /// <summary>Whether a collective has failed or timed out; the group cannot be used any more.</summary>
    public bool Broken { get; private set; }

    /// <summary>Replaces <paramref name="data"/> on every member with <paramref name="root"/>'s.</summary>
    public void Broadcast(Span<float> data, int root = 0)
    {
        if (root < 0 || root >= Size) throw new ArgumentOutOfRangeException(nameof(root), $"ProcessGroup.Broadcast: root {root} is not a rank of a group of {Size}");
        Enter();
        try { BroadcastCore(data, root); }
        catch (Exception e) when (e is not ArgumentException) { throw Failure(e, $"broadcast of {data.Length} floats from rank {root}"); }
    }

    /// <summary>Replaces <paramref name="data"/> on every member with the element-wise sum over all members.</summary>
    public void AllReduceSum(Span<float> data)
    {
        Enter();
        try { AllReduceSumCore(data); }
        catch (Exception e) when (e is not ArgumentException) { throw Failure(e, $"all-reduce of {data.Length} floats"); }
    }

    /// <summary>Replaces <paramref name="data"/> on every member with the element-wise sum over all members.</summary>
    public void AllReduceSum(Span<double> data)
    {
        Enter();
        try { AllReduceSumCore(data); }
        catch (Exception e) when (e is not ArgumentException) { throw Failure(e, $"all-reduce of {data.Length} doubles"); }
    }

    /// <summary>Returns once every member has called it.</summary>
    public void Barrier()
    {
        Enter();
        try { BarrierCore(); }
        catch (Exception e) when (e is not ArgumentException) { throw Failure(e, "barrier"); }
    }

    /// <summary>The broadcast itself; throws <see cref="TimeoutException"/> when <see cref="Timeout"/> passes first.</summary>
    protected abstract void BroadcastCore(Span<float> data, int root);

    /// <summary>The float all-reduce itself; throws <see cref="TimeoutException"/> when <see cref="Timeout"/> passes first.</summary>
    protected abstract void AllReduceSumCore(Span<float> data);

    /// <summary>The double all-reduce itself; throws <see cref="TimeoutException"/> when <see cref="Timeout"/> passes first.</summary>
    protected abstract void AllReduceSumCore(Span<double> data);

    /// <summary>The barrier itself; throws <see cref="TimeoutException"/> when <see cref="Timeout"/> passes first.</summary>
    protected abstract void BarrierCore();

    private void Enter()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (Broken) throw new ProcessGroupException($"rank {Rank} of {Size}: the process group failed earlier and cannot be used any more");
    }

    // One place turns a timeout or a transport error into the group's failure, naming the rank and the call.
    private ProcessGroupException Failure(Exception e, string what)
    {
        Broken = true;
        return e switch
        {
            ProcessGroupException known => known,
            TimeoutException => new ProcessGroupException(
                $"rank {Rank} of {Size}: {what} did not complete within {Timeout.TotalSeconds:0.#} s; another rank has probably stopped or died"),
            _ => new ProcessGroupException($"rank {Rank} of {Size}: {what} failed: {e.Message}", e),
        };
    }

    private bool disposed;

    /// <summary>Leaves the group (a broken group is left without the collective goodbye that could hang).</summary>
    public void Dispose()
    {
        if (disposed) return;
        disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what the group holds; <see cref="Broken"/> says whether the others can still be reached.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>A collective of a <see cref="ProcessGroup"/> failed or timed out; the message names the rank and the call.</summary>
public sealed class ProcessGroupException : Exception
{
    /// <summary>A failure described by <paramref name="message"/>.</summary>
    public ProcessGroupException(string message) : base(message)
    {
    }

    /// <summary>A failure described by <paramref name="message"/>, caused by <paramref name="inner"/>.</summary>
    public ProcessGroupException(string message, Exception inner) : base(message, inner)
    {
    }
}
