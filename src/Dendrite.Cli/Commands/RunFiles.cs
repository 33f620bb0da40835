using System.Globalization;
using System.Text;
using Dendrite.Cli.Plotting;
using Dendrite.Serialization;
using Dendrite.Training;
using Dendrite.Training.Callbacks;

namespace Dendrite.Cli.Commands;

/// <summary>
/// The files of a <c>dendrite train</c> run that follow it as it goes: <c>checkpoint.ckpt</c> after every
/// epoch and when Ctrl+C stops it (at the step where it stopped), <c>history.csv</c>, <c>loss.svg</c> and
/// <c>accuracy.svg</c> after every epoch. <paramref name="snapshot"/> makes the checkpoint of a resume point.
/// </summary>
internal sealed class RunFiles(string directory, Func<ResumePoint, Checkpoint> snapshot) : Callback
{
    public string CheckpointPath { get; } = Path.Combine(directory, "checkpoint.ckpt");

    /// <summary>Whether the run was cancelled before its last epoch (and the checkpoint written where it stopped).</summary>
    public bool Interrupted { get; private set; }

    public override void OnEpochEnd(TrainingContext context)
    {
        snapshot(context.ResumePoint()).Save(CheckpointPath);
        WriteHistory(context.History);
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (!context.Cancelled) return;
        snapshot(context.ResumePoint()).Save(CheckpointPath);
        Interrupted = true;
    }

    private void WriteHistory(History history)
    {
        var csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy\n");
        for (int i = 0; i < history.Count; i++)
        {
            var h = history.Epochs[i];
            string V(string key) => h.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
            csv.Append(CultureInfo.InvariantCulture, $"{i + 1},{V("loss")},{V("accuracy")},{V("val_loss")},{V("val_accuracy")}\n");
        }
        File.WriteAllText(Path.Combine(directory, "history.csv"), csv.ToString());
        IReadOnlyList<double> Series(string key) => history.Epochs.Select(h => h.TryGetValue(key, out var v) ? v : double.NaN).ToList();
        bool hasValidation = history.ContainsKey("val_loss");
        foreach (var (key, title) in new[] { ("loss", "Loss"), ("accuracy", "Accuracy") })
        {
            var series = new List<(string, IReadOnlyList<double>)> { ("train", Series(key)) };
            if (hasValidation) series.Add(("validation", Series("val_" + key)));
            SvgChart.Write(Path.Combine(directory, key + ".svg"), $"{title} per epoch", key, series);
        }
    }
}
