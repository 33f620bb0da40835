using System.Diagnostics;

namespace Dendrite.Distributed;

/// <summary>
/// A <see cref="ProcessGroup"/> of the processes <c>mpirun</c> started (MPI_COMM_WORLD), on the system's Open MPI.
/// <see cref="Initialize"/> once per process; <see cref="ProcessGroup.Dispose()"/> finalizes MPI.
/// </summary>
/// <remarks>
/// Errors are returned instead of aborting the job (MPI_ERRORS_RETURN). A blocking MPI collective waits for
/// ever when a peer has died, so every collective is started nonblocking (MPI_Ibcast, MPI_Iallreduce,
/// MPI_Ibarrier) and polled with MPI_Test until it completes or <see cref="ProcessGroup.Timeout"/> passes.
/// The poll spins briefly (a few hundred microseconds), then sleeps a millisecond at a time, so a rank waiting
/// for a slow peer leaves its core to others (ranks of one machine often share cores). On 2 loaded vCPUs,
/// yielding for up to 2,000 polls or 20 ms before sleeping, never sleeping, and a blocking MPI_Allreduce all
/// trained the MLP at the same speed within the noise (docs/distributed.md).
/// </remarks>
public sealed class MpiProcessGroup : ProcessGroup
{
    private static MpiProcessGroup? world;

    private MpiProcessGroup(int rank, int size)
    {
        Rank = rank;
        Size = size;
    }

    /// <inheritdoc/>
    public override int Rank { get; }

    /// <inheritdoc/>
    public override int Size { get; }

    /// <summary>
    /// Whether this process was started by an MPI launcher (Open MPI's <c>mpirun</c>, or a PMI/PMIx one such as
    /// Slurm's <c>srun</c>), judged from the environment it sets.
    /// </summary>
    public static bool Launched =>
        Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is not null
        || Environment.GetEnvironmentVariable("PMIX_RANK") is not null
        || Environment.GetEnvironmentVariable("PMI_SIZE") is not null;

    /// <summary>
    /// Initializes MPI (once per process) and returns the group of every process of the job. Throws
    /// <see cref="DllNotFoundException"/> when MPI is not installed and <see cref="ProcessGroupException"/> when
    /// it cannot start.
    /// </summary>
    public static MpiProcessGroup Initialize()
    {
        if (world is not null) return world;
        Mpi.Load();
        Call(Mpi.Initialized(out int initialized), "MPI_Initialized");
        if (initialized == 0) Call(Mpi.Init(IntPtr.Zero, IntPtr.Zero), "MPI_Init");
        Call(Mpi.CommSetErrhandler(Mpi.CommWorld, Mpi.ErrorsReturn), "MPI_Comm_set_errhandler");
        Call(Mpi.CommRank(Mpi.CommWorld, out int rank), "MPI_Comm_rank");
        Call(Mpi.CommSize(Mpi.CommWorld, out int size), "MPI_Comm_size");
        return world = new MpiProcessGroup(rank, size);
    }

    /// <inheritdoc/>
    protected override unsafe void BroadcastCore(Span<float> data, int root)
    {
        fixed (float* p = data)
        {
            Call(Mpi.Ibcast(p, data.Length, Mpi.Float, root, Mpi.CommWorld, out var request), "MPI_Ibcast");
            Wait(ref request);
        }
    }

    /// <inheritdoc/>
    protected override unsafe void AllReduceSumCore(Span<float> data)
    {
        fixed (float* p = data)
        {
            Call(Mpi.Iallreduce(Mpi.InPlace, p, data.Length, Mpi.Float, Mpi.Sum, Mpi.CommWorld, out var request), "MPI_Iallreduce");
            Wait(ref request);
        }
    }

    /// <inheritdoc/>
    protected override unsafe void AllReduceSumCore(Span<double> data)
    {
        fixed (double* p = data)
        {
            Call(Mpi.Iallreduce(Mpi.InPlace, p, data.Length, Mpi.Double, Mpi.Sum, Mpi.CommWorld, out var request), "MPI_Iallreduce");
            Wait(ref request);
        }
    }

    /// <inheritdoc/>
    protected override void BarrierCore()
    {
        Call(Mpi.Ibarrier(Mpi.CommWorld, out var request), "MPI_Ibarrier");
        Wait(ref request);
    }

    // The buffer stays pinned by the caller's fixed until this returns; on a timeout the request is abandoned
    // with the group (marked broken), and the process is expected to end without touching it again.
    private void Wait(ref IntPtr request)
    {
        long deadline = Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency);
        for (int polls = 0; ; polls++)
        {
            Call(Mpi.Test(ref request, out int done, IntPtr.Zero), "MPI_Test");
            if (done != 0) return;
            if (polls < 200) Thread.SpinWait(50);
            else
            {
                if (Stopwatch.GetTimestamp() > deadline) throw new TimeoutException();
                Thread.Sleep(1);
            }
        }
    }

    private static void Call(int code, string call) => Mpi.Check(code, call);

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        // MPI_Finalize is collective and would wait for a dead peer: a broken group leaves without it.
        if (Broken || Mpi.Finalized(out int finalized) != Mpi.Success || finalized != 0) return;
        Mpi.Finalize();
    }
}
