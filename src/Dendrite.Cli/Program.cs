using System.CommandLine;
using Dendrite.Cli.Bench;

namespace Dendrite.Cli;

/// <summary>The <c>dendrite</c> tool's entry point: one sub-command per verb.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var root = new RootCommand("dendrite: train, evaluate, inspect, benchmark and export neural networks");
        root.Subcommands.Add(BenchCommand.Create());
        return root.Parse(args).Invoke();
    }
}
