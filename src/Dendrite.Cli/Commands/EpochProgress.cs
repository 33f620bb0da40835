using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>
/// Per-epoch progress of <c>dendrite train</c>: a live Spectre bar per epoch on a terminal (running loss,
/// <paramref name="accuracy"/> and samples/s), and one line per epoch with its logs either way.
/// </summary>
internal sealed class EpochProgress(CliContext context, Metric accuracy) : Callback
{
    private ProgressContext? progress;
    private ProgressTask? task;
    private readonly Stopwatch clock = new();
    private long timedSamples;

    /// <summary>Runs <paramref name="training"/> (which reports through this callback) under the live bars when on a terminal.</summary>
    public void Show(Action training)
    {
        if (!context.Terminal)
        {
            training();
            return;
        }
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                progress = ctx;
                training();
            });
    }

    public override void OnEpochBegin(TrainingContext c)
    {
        // Samples per second count only what this run trains, not batches a resumed epoch skips.
        clock.Restart();
        timedSamples = 0;
        task = progress?.AddTask($"epoch {c.Epoch + 1}/{c.Epochs}", maxValue: c.Batches);
    }

    public override void OnBatchEnd(TrainingContext c)
    {
        timedSamples += (long)c.Logs["size"];
        if (task is null) return;
        task.Value = c.Batch + 1;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {c.Epoch + 1}/{c.Epochs} loss {c.EpochLoss:0.0000} acc {accuracy.Compute():0.0000} {timedSamples / clock.Elapsed.TotalSeconds:N0} samples/s");
    }

    public override void OnEpochEnd(TrainingContext c)
    {
        // Timed to here, so validation and the epoch's files count in the epoch's speed.
        var elapsed = clock.Elapsed;
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"epoch {c.Epoch + 1}/{c.Epochs}"));
        foreach (var (key, value) in c.Logs) line.Append(CultureInfo.InvariantCulture, $"  {key} {value:0.0000}");
        line.Append(CultureInfo.InvariantCulture, $"  {timedSamples / elapsed.TotalSeconds:N0} samples/s  {elapsed.TotalSeconds:0.0}s");
        if (task is not null)
        {
            // The bar's line is short; the full line (validation included) goes above the bars.
            task.StopTask();
            progress?.Refresh();
            context.Console.MarkupLine(Markup.Escape(line.ToString()));
        }
        else
        {
            context.Out.WriteLine(line.ToString());
        }
    }
}
