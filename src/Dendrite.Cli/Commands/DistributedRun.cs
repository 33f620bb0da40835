using System.Globalization;
using System.Runtime.InteropServices;
using Dendrite.Distributed;
using Dendrite.Runtime;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite train</c> as one rank of <c>mpirun -np N dendrite train ...</c>: joins the MPI job (when started
/// by an MPI launcher, or with <c>--distributed</c>), trains data-parallel, and leaves files and progress to
/// rank 0. A checkpoint records the world size, and a resumed run must have the same.
/// </summary>
/// <remarks>
/// When a rank fails, mpirun ends the others with SIGTERM; each then says so in one line and exits with 1
/// (the checkpoint on disk is whole: it is replaced atomically). Under a launcher that does not end them, the
/// collectives' timeout (<see cref="ProcessGroup.Timeout"/>, 20 s) does.
/// </remarks>
internal sealed class DistributedRun : IDisposable
{
    /// <summary>The key under which a checkpoint's training options record the world size.</summary>
    public const string WorldSizeKey = "world_size";

    private readonly MpiProcessGroup group;
    private readonly PosixSignalRegistration terminate;

    private DistributedRun(MpiProcessGroup group, TextWriter error)
    {
        this.group = group;
        DataParallel = new DataParallel(group);
        terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, signal =>
        {
            signal.Cancel = true;
            error.WriteLine($"dendrite: error: rank {group.Rank} of {group.Size}: terminated (SIGTERM): mpirun stops every rank when one fails or the job is cancelled" +
                            (Checkpoint is var (path, resume) && File.Exists(path) ? $"; the last checkpoint resumes with {Launch}{resume}" : ""));
            error.Flush();
            Environment.Exit(Program.Failure);
        });
    }

    /// <summary>The run of this rank, or null when this process trains alone (not launched by MPI, and <paramref name="asked"/> false).</summary>
    public static DistributedRun? Join(bool asked, TextWriter error)
    {
        if (!asked && !MpiProcessGroup.Launched) return null;
        MpiProcessGroup group;
        try
        {
            group = MpiProcessGroup.Initialize();
        }
        catch (DllNotFoundException e)
        {
            throw new CliException($"train: cannot train distributed: {e.Message}");
        }
        // Ranks sharing a machine share its cores: unless told otherwise, each takes its part of them.
        if (Environment.GetEnvironmentVariable("DENDRITE_NUM_THREADS") is null
            && int.TryParse(Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_LOCAL_SIZE"), out int local) && local > 0)
            Threads.Count = Math.Max(1, Environment.ProcessorCount / local);
        return new DistributedRun(group, error);
    }

    public DataParallel DataParallel { get; }

    /// <summary>Rank 0 writes the files and the progress.</summary>
    public bool Leader => group.Rank == 0;

    public int Size => group.Size;

    /// <summary>The launcher's part of a command line repeating this run: <c>mpirun -np N </c>.</summary>
    public string Launch => $"mpirun -np {group.Size} ";

    /// <summary>Where rank 0 keeps the checkpoint and the command that resumes from it, once known (for the message of a terminated rank).</summary>
    public (string Path, string ResumeCommand)? Checkpoint { get; set; }

    /// <summary>Rejects a checkpoint written by a run of another world size (a single process counts as 1).</summary>
    public static void CheckWorldSize(IReadOnlyDictionary<string, string> stored, string checkpoint, DistributedRun? run)
    {
        int saved = stored.TryGetValue(WorldSizeKey, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 1;
        int now = run?.Size ?? 1;
        if (saved == now) return;
        string how = saved == 1 ? "without mpirun" : $"with mpirun -np {saved}";
        throw new CliException(
            $"{checkpoint}: the checkpoint was written by a run of {Processes(saved)} and this run has {Processes(now)}; " +
            $"resume it {how} (each process's share of every batch, and so the training, depends on their number)");
    }

    /// <summary><paramref name="options"/> with the world size added, for a checkpoint.</summary>
    public static Dictionary<string, string> Stamp(Dictionary<string, string> options, DistributedRun? run)
    {
        options[WorldSizeKey] = (run?.Size ?? 1).ToString(CultureInfo.InvariantCulture);
        return options;
    }

    private static string Processes(int n) => n == 1 ? "1 process" : $"{n} processes";

    public void Dispose()
    {
        terminate.Dispose();
        group.Dispose();
    }
}
