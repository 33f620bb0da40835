using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>Where a verb writes, whether it may draw live progress, and how it learns of Ctrl+C.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, CancellationToken cancellation, bool terminal)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public CancellationToken Cancellation { get; } = cancellation;

    /// <summary>True when output goes to a terminal: progress bars instead of one line per epoch.</summary>
    public bool Terminal { get; } = terminal;

    public bool Verbose { get; set; }

    /// <summary>A Spectre console writing to <see cref="Out"/> (plain text unless on a terminal).</summary>
    public IAnsiConsole Console => console ??= AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Out),
        Ansi = Terminal ? AnsiSupport.Detect : AnsiSupport.No,
        ColorSystem = Terminal ? ColorSystemSupport.Detect : ColorSystemSupport.NoColors,
        Interactive = Terminal ? InteractionSupport.Detect : InteractionSupport.No,
    });

    private IAnsiConsole? console;

    /// <summary>The same context with standard output discarded (ranks other than 0 of a distributed run).</summary>
    public CliContext Quiet() => new(TextWriter.Null, Error, Cancellation, terminal: false) { Verbose = Verbose };

    /// <summary>Reports <paramref name="e"/> as one line (plus the stack trace when verbose) and returns the exit code.</summary>
    public int Fail(Exception e)
    {
        if (e is System.Reflection.TargetInvocationException { InnerException: { } inner }) e = inner;
        if (e is AggregateException { InnerExceptions.Count: 1 } aggregate) e = aggregate.InnerExceptions[0];
        string message = e switch
        {
            CliException or IOException or InvalidDataException or FormatException or ArgumentException
                or InvalidOperationException or UnauthorizedAccessException or NotSupportedException
                or Distributed.ProcessGroupException => e.Message,
            // Anything else is a bug in Dendrite, but the user still gets one line, not a trace.
            _ => $"{e.GetType().Name}: {e.Message}",
        };
        // One line: a multi-line message (a JSON parser's, say) is folded.
        message = string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Error.WriteLine($"dendrite: error: {message}");
        if (Verbose) Error.WriteLine(e.ToString());
        return e is CliException { Usage: true } ? Program.UsageError : Program.Failure;
    }
}

/// <summary>An error the tool reports in its own words; <see cref="Usage"/> makes the exit code 2.</summary>
internal sealed class CliException(string message, bool usage = false) : Exception(message)
{
    public bool Usage { get; } = usage;
}
