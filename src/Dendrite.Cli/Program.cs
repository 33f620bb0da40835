using System.CommandLine;
using Dendrite.Cli.Bench;
using Dendrite.Cli.Commands;
using Dendrite.Runtime;

namespace Dendrite.Cli;

/// <summary>
/// The <c>dendrite</c> tool's entry point: one sub-command per verb. Exit codes: 0 success, 1 failure,
/// 2 usage error (bad or missing options), 130 interrupted by Ctrl+C (training writes a checkpoint first).
/// Every failure is one line on stderr, <c>dendrite: error: ...</c>; the stack trace follows only with
/// <c>--verbose</c>.
/// </summary>
public static class Program
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>The command ran and failed (bad file, bad data, diverging training, ...).</summary>
    public const int Failure = 1;

    /// <summary>The command line itself is wrong.</summary>
    public const int UsageError = 2;

    /// <summary>Stopped by Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;

    public static int Main(string[] args)
    {
        using var cancel = new CancellationTokenSource();
        // The first Ctrl+C asks training to stop after the current step; a second one kills the process.
        ConsoleCancelEventHandler handler = (_, e) =>
        {
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += handler;
        try
        {
            return Run(args, Console.Out, Console.Error, cancel.Token, terminal: !Console.IsOutputRedirected);
        }
        finally
        {
            Console.CancelKeyPress -= handler;
        }
    }

    /// <summary>
    /// Runs the tool in-process: parses <paramref name="args"/>, runs the verb writing to
    /// <paramref name="output"/> and <paramref name="error"/>, and returns the exit code. Cancelling
    /// <paramref name="cancellation"/> acts as Ctrl+C. <paramref name="terminal"/> enables live progress bars.
    /// </summary>
    public static int Run(string[] args, TextWriter output, TextWriter error, CancellationToken cancellation = default, bool terminal = false)
    {
        ArgumentNullException.ThrowIfNull(args);
        var verbose = new Option<bool>("--verbose", "-v") { Description = "Print stack traces with errors", Recursive = true };
        var maxMemory = new Option<string>("--max-memory")
        {
            Description = $"Memory budget for what files and specs may ask to allocate (e.g. 4G; default {MemoryBudget.Format(MemoryBudget.DefaultBytes)} or ${MemoryBudget.EnvironmentVariable})",
            Recursive = true,
        };
        var context = new CliContext(output, error, cancellation, terminal);
        // A plain command named "dendrite" rather than RootCommand, which names itself after the assembly
        // (Dendrite.Cli); it needs the help and version options RootCommand would add.
        var root = new Command("dendrite", "dendrite: train, evaluate, inspect, benchmark and export neural networks")
        {
            verbose, maxMemory, new System.CommandLine.Help.HelpOption(), new VersionOption(),
        };
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(TrainCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(PredictCommand.Create(context));
        root.Subcommands.Add(SummaryCommand.Create(context));
        root.Subcommands.Add(ExportCommand.Create(context));
        root.Subcommands.Add(DataCommand.Create(context));
        root.Subcommands.Add(PlaygroundCommand.Create(context));
        root.Subcommands.Add(GraphCommand.Create(context));
        root.Subcommands.Add(Inspect.InspectCommand.Create(context));

        ParseResult parse = root.Parse(args);
        context.Verbose = parse.GetValue(verbose);
        if (parse.Errors.Count > 0)
        {
            foreach (var e in parse.Errors) error.WriteLine($"dendrite: error: {e.Message}");
            error.WriteLine($"Run '{HelpHint(parse)}' for usage.");
            return UsageError;
        }
        var config = new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false };
        if (Budget(parse.GetValue(maxMemory), error) is not { } budget) return UsageError;
        try
        {
            using var scope = MemoryBudget.Use(budget);
            return parse.Invoke(config);
        }
        catch (Exception e)
        {
            return context.Fail(e);
        }
    }

    /// <summary>The run's memory budget: <c>--max-memory</c>, else <c>DENDRITE_MAX_MEMORY</c>, else the default; null (after a message) when either is not a size.</summary>
    private static MemoryBudget? Budget(string? option, TextWriter error)
    {
        string? env = Environment.GetEnvironmentVariable(MemoryBudget.EnvironmentVariable);
        (string? text, string source) = option is not null ? (option, "--max-memory") : (env, MemoryBudget.EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return new MemoryBudget(MemoryBudget.DefaultBytes);
        try
        {
            long bytes = MemoryBudget.ParseSize(text);
            if (bytes < 1L << 20) throw new FormatException($"{text} is below the 1 MiB minimum");
            return new MemoryBudget(bytes);
        }
        catch (FormatException e)
        {
            error.WriteLine($"dendrite: error: {source}: {e.Message}");
            return null;
        }
    }

    private static string HelpHint(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, r.Command.Name);
        if (names.Count > 0) names[0] = "dendrite";
        return string.Join(' ', names) + " --help";
    }
}
