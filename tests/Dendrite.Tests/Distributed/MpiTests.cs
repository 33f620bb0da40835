using Xunit.Abstractions;

namespace Dendrite.Tests.Distributed;

// Two processes under mpirun (tests/DistributedWorker) against one process alone, as the issue asks.
public class MpiTests(ITestOutputHelper output)
{
    private static readonly string Worker = Path.Combine(AppContext.BaseDirectory, "DistributedWorker.dll");

    [Fact]
    public void TwoRanksGiveOneProcessesGradientsAndRepeatBitForBit()
    {
        if (MpiRun.Find(output) is not { } mpirun) return;
        var dir = Directory.CreateTempSubdirectory("dendrite-mpi-");
        try
        {
            string P(string name) => Path.Combine(dir.FullName, name);
            var alone = MpiRun.Run(new System.Diagnostics.ProcessStartInfo("dotnet", [Worker, P("g1"), P("w1"), "3"]) { RedirectStandardOutput = true, RedirectStandardError = true }, TimeSpan.FromMinutes(2));
            Assert.True(alone.Code == 0, alone.Output);
            for (int run = 2; run <= 3; run++)
            {
                var (code, text) = MpiRun.Run(MpiRun.Start(mpirun, 2, dir.FullName, Worker, P($"g{run}"), P($"w{run}"), "3"), TimeSpan.FromMinutes(2));
                output.WriteLine(text);
                Assert.True(code == 0, text);
            }

            var reference = Read(P("g1"));
            var distributed = Read(P("g2"));
            Assert.Equal(reference.Length, distributed.Length);
            for (int i = 0; i < reference.Length; i++)
            {
                double diff = Math.Sqrt(reference[i].Zip(distributed[i], (a, b) => Math.Pow(a - b, 2)).Sum());
                double norm = Math.Sqrt(reference[i].Sum(a => (double)a * a));
                output.WriteLine($"parameter {i}: relative difference of the first gradients {diff / norm:E2}");
                Assert.True(diff <= 1e-6 * norm, $"parameter {i}: relative difference {diff / norm} > 1e-6");
            }
            // Both ranks hold the same weights, and a second run of the same world size repeats them bit for bit.
            Assert.Equal(File.ReadAllBytes(P("w2.rank0")), File.ReadAllBytes(P("w2.rank1")));
            Assert.Equal(File.ReadAllBytes(P("w2.rank0")), File.ReadAllBytes(P("w3.rank0")));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static float[][] Read(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        var tensors = new float[r.ReadInt32()][];
        for (int i = 0; i < tensors.Length; i++)
        {
            tensors[i] = new float[r.ReadInt32()];
            for (int j = 0; j < tensors[i].Length; j++) tensors[i][j] = r.ReadSingle();
        }
        return tensors;
    }
}
