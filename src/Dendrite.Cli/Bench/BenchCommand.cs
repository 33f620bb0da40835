using System.CommandLine;

namespace Dendrite.Cli.Bench;

/// <summary>
/// <c>dendrite bench [gemm|mlp|lenet|infer|cnn|all] [--threads N] [--data DIR] [--epochs N]</c>: the workloads of
/// BENCHMARKS.md, printed as one JSON object per line in its schema with engine "dendrite".
/// </summary>
internal static class BenchCommand
{
    private static readonly string[] Workloads = ["gemm", "mlp", "lenet", "infer", "cnn", "all"];

    public static Command Create()
    {
        var workload = new Argument<string>("workload")
        {
            Description = "Which workload: gemm, mlp, lenet, infer, cnn or all",
            DefaultValueFactory = _ => "all",
        };
        workload.AcceptOnlyFromAmong(Workloads);
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores, or DENDRITE_NUM_THREADS)" };
        var data = new Option<string>("--data")
        {
            Description = "MNIST directory (IDX files)",
            DefaultValueFactory = _ => Path.Combine("data", "mnist-sample"),
        };
        var epochs = new Option<int>("--epochs") { Description = "Training epochs for mlp and lenet; cnn's timed epochs (after one warm-up epoch)", DefaultValueFactory = _ => 5 };

        var command = new Command("bench", "Measure GEMM, training and inference speed (JSON lines, the schema of BENCHMARKS.md)")
        {
            workload, threads, data, epochs,
        };
        command.SetAction(parse =>
        {
            // Bad values throw; the tool's top level turns any error into one "dendrite: error:" line.
            int? t = parse.GetValue(threads);
            if (t is < 1) throw new ArgumentException($"bench: --threads must be at least 1, got {t}");
            int e = parse.GetValue(epochs);
            if (e < 1) throw new ArgumentException($"bench: --epochs must be at least 1, got {e}");
            new Benchmarks(t, parse.GetValue(data)!, e, Console.Out).Run(parse.GetValue(workload)!);
            return 0;
        });
        return command;
    }
}
