namespace Dendrite.Distributed;

/// <summary>
/// A <see cref="ProcessGroup"/> whose members are threads of this process: <see cref="Create"/> makes all of
/// them, and each is handed to the thread that plays that rank. It gives the same results as processes under
/// MPI (sums are taken in rank order), so data-parallel training can be tried and tested without MPI.
/// </summary>
public sealed class LocalProcessGroup : ProcessGroup
{
    private readonly Shared shared;
    private readonly int rank;

    private LocalProcessGroup(Shared shared, int rank)
    {
        this.shared = shared;
        this.rank = rank;
    }

    /// <summary>The <paramref name="size"/> members of a new group, indexed by rank.</summary>
    public static LocalProcessGroup[] Create(int size)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), $"LocalProcessGroup: a group needs at least one member, got {size}");
        var shared = new Shared(size);
        return [.. Enumerable.Range(0, size).Select(r => new LocalProcessGroup(shared, r))];
    }

    /// <inheritdoc/>
    public override int Rank => rank;

    /// <inheritdoc/>
    public override int Size => shared.Slots.Length;

    /// <inheritdoc/>
    protected override void BroadcastCore(Span<float> data, int root)
    {
        if (rank == root) shared.Slots[rank] = data.ToArray();
        Wait();
        var source = (float[])shared.Slots[root]!;
        CheckLength(source.Length, data.Length, "broadcast");
        source.CopyTo(data);
        Wait();
    }

    /// <inheritdoc/>
    protected override void AllReduceSumCore(Span<float> data) => AllReduce(data);

    /// <inheritdoc/>
    protected override void AllReduceSumCore(Span<double> data) => AllReduce(data);

    /// <inheritdoc/>
    protected override void BarrierCore() => Wait();

    private void AllReduce<T>(Span<T> data) where T : struct, System.Numerics.IAdditionOperators<T, T, T>
    {
        shared.Slots[rank] = data.ToArray();
        Wait();
        data.Clear();
        for (int r = 0; r < Size; r++)
        {
            var part = (T[])shared.Slots[r]!;
            CheckLength(part.Length, data.Length, "all-reduce");
            for (int i = 0; i < data.Length; i++) data[i] += part[i];
        }
        // Nobody may overwrite a slot before every member has read all of them.
        Wait();
    }

    private void CheckLength(int theirs, int mine, string what)
    {
        if (theirs != mine)
            throw new ArgumentException($"LocalProcessGroup: rank {rank} joined a {what} with {mine} elements, another rank with {theirs}");
    }

    private void Wait()
    {
        if (!shared.Barrier.SignalAndWait(Timeout)) throw new TimeoutException();
    }

    private sealed class Shared(int size)
    {
        public readonly Barrier Barrier = new(size);
        public readonly object?[] Slots = new object?[size];
    }
}
