using System.Globalization;
using Dendrite.Cli;

namespace Dendrite.Tests.Cli;

/// <summary>Runs the dendrite tool in-process through <see cref="Program.Run"/> and checks its errors.</summary>
internal static class CliRun
{
    public sealed record Result(int Code, string Out, string Err);

    public static Result Run(CancellationToken cancellation, params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, error, cancellation);
        return new Result(code, output.ToString(), error.ToString());
    }

    public static Result Run(params string[] args) => Run(CancellationToken.None, args);

    /// <summary>A failure is exactly one line, "dendrite: error: ...", and no stack trace.</summary>
    public static void AssertOneLineError(Result r, int code = 1, string? contains = null)
    {
        Assert.Equal(code, r.Code);
        var lines = r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length >= 1, "expected an error line");
        Assert.StartsWith("dendrite: error: ", lines[0]);
        if (code == 1) Assert.Single(lines);
        Assert.DoesNotContain("   at ", r.Err);
        if (contains is not null) Assert.Contains(contains, r.Err);
    }

    /// <summary>The figure of the run's last line, "test accuracy: 0.9722 (...)".</summary>
    public static double FinalAccuracy(Result r, string set = "test")
    {
        var m = System.Text.RegularExpressions.Regex.Match(r.Out, set + @" accuracy: ([0-9.]+)");
        Assert.True(m.Success, $"no '{set} accuracy' line in: {r.Out}");
        return double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
    }
}
