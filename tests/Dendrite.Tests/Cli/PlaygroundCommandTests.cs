using System.Globalization;
using System.Text.RegularExpressions;
using Dendrite.Cli;

namespace Dendrite.Tests.Cli;

/// <summary><c>dendrite playground</c> in-process: its options, and a server that answers and stops on Ctrl+C.</summary>
public sealed partial class PlaygroundCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        return (Program.Run(args, output, error), output.ToString(), error.ToString());
    }

    [Fact]
    public void BadOptionsAreOneLineErrors()
    {
        var (code, _, err) = Run("playground", "--port", "70000");
        Assert.Equal(Program.UsageError, code);
        Assert.StartsWith("dendrite: error: --port must be 0 to 65535, got 70000", err);
        (code, _, err) = Run("playground", "--model", "no-such-model.safetensors");
        Assert.Equal(Program.Failure, code);
        Assert.StartsWith("dendrite: error: no-such-model.safetensors: no such model file", err);
        (code, _, err) = Run("playground", "--host", "not an address", "--port", "0");
        Assert.Equal(Program.Failure, code);
        Assert.Contains("'not an address' is not an IP address or localhost", err);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public async Task ServesUntilCancelled()
    {
        // The server writes from its own thread: synchronised writers (which lock themselves), read under the same lock.
        var outText = new StringWriter(CultureInfo.InvariantCulture);
        var errText = new StringWriter(CultureInfo.InvariantCulture);
        var output = TextWriter.Synchronized(outText);
        var error = TextWriter.Synchronized(errText);
        string Read(StringWriter w, TextWriter sync)
        {
            lock (sync) return w.ToString();
        }
        using var stop = new CancellationTokenSource();
        var run = Task.Run(() => Program.Run(["playground", "--port", "0"], output, error, stop.Token));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        Match url;
        while (!(url = Url().Match(Read(outText, output))).Success)
        {
            Assert.False(run.IsCompleted, $"the server stopped: {Read(errText, error)}");
            await Task.Delay(20, timeout.Token);
        }
        Assert.StartsWith("http://localhost:", url.Value);
        using var client = new HttpClient();
        var info = await client.GetStringAsync(url.Value + "api/info", timeout.Token);
        Assert.Contains("\"maxSessions\":4", info);
        stop.Cancel();
        Assert.Equal(Program.Success, await run.WaitAsync(timeout.Token));
        Assert.Contains("Stopped.", Read(outText, output));
        Assert.Equal("", Read(errText, error));
    }

    [GeneratedRegex(@"http://\S+/")]
    private static partial Regex Url();
}
