using System.Diagnostics;
using Xunit.Abstractions;

namespace Dendrite.Tests.Distributed;

/// <summary>Starts programs under Open MPI's mpirun for the distributed tests.</summary>
internal static class MpiRun
{
    /// <summary>mpirun's path, or null (with the reason written to <paramref name="output"/>) when it is not installed.</summary>
    public static string? Find(ITestOutputHelper output)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Append("/usr/bin"))
        {
            var path = Path.Combine(dir, "mpirun");
            if (dir.Length > 0 && File.Exists(path)) return path;
        }
        output.WriteLine("mpirun is not installed (apt-get install -y openmpi-bin libopenmpi-dev; tools/test.sh does it): the test did not run");
        return null;
    }

    /// <summary>
    /// The mpirun command line for <paramref name="ranks"/> copies of <c>dotnet</c> <paramref name="arguments"/>,
    /// one kernel thread each: oversubscribed (more ranks than free cores is fine here), allowed as root
    /// (containers), on this machine's loopback and shared memory only.
    /// </summary>
    public static ProcessStartInfo Start(string mpirun, int ranks, string workingDirectory, params string[] arguments)
    {
        var info = new ProcessStartInfo(mpirun)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var a in new[] { "-np", ranks.ToString(System.Globalization.CultureInfo.InvariantCulture), "--oversubscribe", "--allow-run-as-root",
                                   "--mca", "btl_tcp_if_include", "lo", "-x", "DENDRITE_NUM_THREADS=1", "dotnet" })
            info.ArgumentList.Add(a);
        foreach (var a in arguments) info.ArgumentList.Add(a);
        return info;
    }

    /// <summary>Runs <paramref name="info"/> to its end (at most <paramref name="limit"/>); returns the exit code and output.</summary>
    public static (int Code, string Output) Run(ProcessStartInfo info, TimeSpan limit)
    {
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(limit))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{info.FileName} {string.Join(' ', info.ArgumentList)} ran past {limit.TotalSeconds} s");
        }
        process.WaitForExit();
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
