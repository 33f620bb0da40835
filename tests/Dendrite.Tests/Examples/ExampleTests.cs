using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dendrite.Tests.Examples;

/// <summary>
/// Runs the examples exactly as the README says (<c>dotnet run examples/NAME.cs</c>) and checks the
/// summary line each prints against its threshold. One class, so they run one after another (they build
/// the library into the same folder).
/// </summary>
public class ExampleTests
{
    [Fact]
    public void XorLearnsAllFourCases()
    {
        var summary = Run("xor.cs", "xor:");
        Assert.Contains("accuracy 100", summary);
        Assert.True(Number(summary, "final loss") < 0.01, summary);
    }

    [Fact]
    public void PerceptronLearnsAndAndOrButNotXor()
    {
        var summary = Run("perceptron.cs", "perceptron:");
        Assert.Contains("AND 100", summary);
        Assert.Contains("OR 100", summary);
        Assert.DoesNotContain("XOR 100", summary);
    }

    [Fact]
    public void SpiralReachesNinetyNinePercent()
    {
        var summary = Run("spiral.cs", "spiral:");
        Assert.True(Number(summary, "training accuracy") >= 99.0, summary);
    }

    [Fact]
    public void LeNetReadsTheSampleDigits()
    {
        // The README runs this one in Release (a Debug build of the library trains LeNet several times slower).
        var summary = Run("mnist.cs", "mnist:", release: true);
        Assert.True(Number(summary, "test accuracy") >= 97.5, summary);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Dendrite.slnx)");
    }

    private static string Run(string example, string summaryPrefix, bool release = false)
    {
        string[] arguments = release ? ["run", "-c", "Release", Path.Combine("examples", example)] : ["run", Path.Combine("examples", example)];
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(TimeSpan.FromMinutes(5)), $"{example} did not finish in 5 minutes");
        Assert.True(process.ExitCode == 0, $"{example} exited with {process.ExitCode}:\n{stdout}\n{stderr.Result}");
        var summary = stdout.Split('\n').LastOrDefault(l => l.StartsWith(summaryPrefix, StringComparison.Ordinal));
        Assert.True(summary is not null, $"{example} printed no summary line:\n{stdout}");
        return summary!;
    }

    private static double Number(string line, string label)
    {
        var match = Regex.Match(line, Regex.Escape(label) + @"\s+([0-9.]+)");
        Assert.True(match.Success, $"no '{label}' in: {line}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
