using System.Diagnostics;
using Dendrite.Serialization;
using Dendrite.Tests.Data;
using Xunit.Abstractions;

namespace Dendrite.Tests.Distributed;

// `mpirun -np 2 dendrite train`: one run's files, a rank killed mid-epoch, and the resume from its checkpoint.
public class MpiTrainTests(ITestOutputHelper output)
{
    private static readonly string Cli = Path.Combine(AppContext.BaseDirectory, "Dendrite.Cli.dll");

    private string[] Train(string outDir, int epochs, params string[] more) =>
        [Cli, "train", "--model", "mlp:32", "--data", TestData.MnistSample, "--epochs", epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, .. more];

    [Theory]
    [InlineData("SIGTERM")]
    [InlineData("SIGKILL")]
    public async Task KillingOneRankEndsTheRunWithinThirtySecondsAndItsCheckpointResumes(string signal)
    {
        if (MpiRun.Find(output) is not { } mpirun) return;
        var dir = Directory.CreateTempSubdirectory("dendrite-mpi-train-");
        try
        {
            string runs = Path.Combine(dir.FullName, "run");
            string checkpoint = Path.Combine(runs, "checkpoint.ckpt");
            var info = MpiRun.Start(mpirun, 2, dir.FullName, Train(runs, 1000));
            using var job = Process.Start(info)!;
            var stdout = job.StandardOutput.ReadToEndAsync();
            var stderr = job.StandardError.ReadToEndAsync();

            // Mid-epoch: once the first epoch's checkpoint is there, plus a few steps.
            var wait = Stopwatch.StartNew();
            while (!File.Exists(checkpoint) && wait.Elapsed < TimeSpan.FromMinutes(2) && !job.HasExited) await Task.Delay(50);
            Assert.True(File.Exists(checkpoint), "no checkpoint within 2 minutes: " + (job.HasExited ? await stdout + await stderr : ""));
            await Task.Delay(300);
            int rank1 = RankProcess(job.Id, 1);
            Assert.Equal(0, Kill(rank1, signal == "SIGKILL" ? 9 : 15));

            var killed = Stopwatch.StartNew();
            bool ended = job.WaitForExit(TimeSpan.FromSeconds(30));
            if (!ended) job.Kill(entireProcessTree: true);
            job.WaitForExit();
            string text = await stdout + await stderr;
            output.WriteLine($"mpirun exited with {job.ExitCode} {killed.Elapsed.TotalSeconds:0.0} s after rank 1 got {signal}:\n{text}");
            Assert.True(ended, "the run did not end within 30 s of a rank's death:\n" + text);
            // The surviving rank says why it stops, and how to resume.
            Assert.Contains("dendrite: error: rank 0 of 2: terminated (SIGTERM): mpirun stops every rank when one fails", text);
            Assert.Contains($"resumes with mpirun -np 2 dendrite train", text);
            // A rank that exits with 1 gives mpirun's exit code 1; one killed by SIGKILL, mpirun reports as 128 + 9.
            Assert.Equal(signal == "SIGKILL" ? 137 : 1, job.ExitCode);

            int done = Checkpoint.Load(checkpoint).ResumePoint.Epoch;
            Assert.True(done >= 1);
            // With the world size it was written with, it continues; with another, it says so.
            var alone = MpiRun.Run(new ProcessStartInfo("dotnet", Train(runs, done + 1, "--resume", checkpoint)) { RedirectStandardOutput = true, RedirectStandardError = true }, TimeSpan.FromMinutes(2));
            Assert.Equal(1, alone.Code);
            Assert.Contains("the checkpoint was written by a run of 2 processes and this run has 1 process; resume it with mpirun -np 2", alone.Output);
            var resumed = MpiRun.Run(MpiRun.Start(mpirun, 2, dir.FullName, Train(runs, done + 1, "--resume", checkpoint)), TimeSpan.FromMinutes(2));
            output.WriteLine(resumed.Output);
            Assert.True(resumed.Code == 0, resumed.Output);
            Assert.Contains($"resuming at epoch {done + 1}", resumed.Output);
            Assert.Contains($"epoch {done + 1}/{done + 1}", resumed.Output);
            Assert.Equal(done + 1, Checkpoint.Load(checkpoint).ResumePoint.Epoch);
            Assert.True(File.Exists(Path.Combine(runs, "model.safetensors")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    // The child of mpirun that Open MPI started as the given rank (its environment says which).
    private static int RankProcess(int mpirun, int rank)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            foreach (var dir in Directory.GetDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), out int pid)) continue;
                try
                {
                    var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                    int parent = int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (parent != mpirun) continue;
                    if (File.ReadAllText(Path.Combine(dir, "environ")).Split('\0').Contains($"OMPI_COMM_WORLD_RANK={rank}")) return pid;
                }
                catch (IOException)
                {
                    // The process ended while it was being read.
                }
            }
            Thread.Sleep(100);
        }
        throw new InvalidOperationException($"no child of mpirun ({mpirun}) is rank {rank}");
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
