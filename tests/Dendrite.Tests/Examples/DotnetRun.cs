using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Dendrite.Tests.Examples;

/// <summary>
/// The programs under <c>examples/</c> build the library into the same output folder, so every test that runs
/// one with <c>dotnet run</c> joins this collection and they run one after another.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DotnetRunCollection
{
    public const string Name = "dotnet run";
}

/// <summary>Runs a file-based program of the repository exactly as its docs say and returns what it printed.</summary>
internal static class DotnetRun
{
    /// <summary>
    /// Runs <c>dotnet run [-c Release] PATH ARGS</c> from the repository root (<paramref name="path"/> is relative
    /// to it, e.g. <c>examples/xor.cs</c>), fails the test on a non-zero exit or after
    /// <paramref name="minutes"/>, and returns the standard output.
    /// </summary>
    public static string Program(string path, bool release = false, int minutes = 5, params string[] args)
    {
        var (exitCode, stdout, stderr) = Run(path, release, minutes, args);
        Assert.True(exitCode == 0, $"{path} exited with {exitCode}:\n{stdout}\n{stderr}");
        return stdout;
    }

    /// <summary>
    /// Runs <c>dotnet run [-c Release] PATH ARGS</c> like <see cref="Program"/> but returns the exit code with
    /// the output instead of failing on a non-zero one (for programs whose failure is the expected answer,
    /// such as an exercise not yet done). <paramref name="path"/> is relative to the repository root or absolute.
    /// </summary>
    public static (int ExitCode, string Stdout, string Stderr) Run(string path, bool release = false, int minutes = 5, params string[] args)
    {
        var arguments = new List<string> { "run" };
        if (release) arguments.AddRange(["-c", "Release"]);
        arguments.Add(path);
        if (args.Length > 0)
        {
            arguments.Add("--");
            arguments.AddRange(args);
        }
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = RepositoryRoot(),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(minutes)))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{path} did not finish in {minutes} minutes:\n{stdout}");
        }
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>The last line of <paramref name="output"/> that starts with <paramref name="prefix"/>.</summary>
    public static string Line(string output, string prefix)
    {
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal));
        Assert.True(line is not null, $"no line starting with '{prefix}' in:\n{output}");
        return line!.TrimEnd('\r');
    }

    /// <summary>The number that follows <paramref name="label"/> (and optional spaces) in <paramref name="line"/>.</summary>
    public static double Number(string line, string label)
    {
        var match = Regex.Match(line, Regex.Escape(label) + @"\s+(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)");
        Assert.True(match.Success, $"no '{label}' in: {line}");
        return double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    public static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Dendrite.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository root (Dendrite.slnx)");
    }
}
