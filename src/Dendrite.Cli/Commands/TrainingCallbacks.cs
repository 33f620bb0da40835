using System.Globalization;
using Dendrite.NN;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training.Callbacks;

namespace Dendrite.Cli.Commands;

/// <summary>
/// The callbacks of <c>--lr-schedule</c> and <c>--early-stopping</c>, made from the options. Their state
/// travels in the checkpoint's resume point; the best weights so far go into its extra tensors as
/// <c>best.NAME</c>, so a resumed run ends exactly as an unbroken one would.
/// </summary>
internal sealed class TrainingCallbacks
{
    private const string BestPrefix = "best.";
    private readonly KeepBest? keepBest;

    /// <summary>Makes the callbacks; call before the optimizer's stored state is loaded, so a schedule's base rate is the option's.</summary>
    public TrainingCallbacks(TrainOptions options, Optimizer optimizer, bool hasValidation)
    {
        // Without validation data, a plateau is watched on the training loss.
        string monitor = hasValidation ? "val_loss" : "loss";
        int step = options.EffectiveScheduleStep;
        var schedule = options.Schedule switch
        {
            "cosine" => new LRSchedulerCallback(new CosineAnnealingLR(optimizer, tMax: step)),
            "step" => new LRSchedulerCallback(new StepLR(optimizer, stepSize: step, gamma: options.ScheduleGamma)),
            "plateau" => new LRSchedulerCallback(new ReduceLROnPlateau(optimizer, factor: options.ScheduleGamma, patience: step), monitor),
            _ => null,
        };
        if (schedule is not null) All.Add(schedule);
        if (options.EarlyStopping is int patience)
        {
            All.Add(new EarlyStopping("val_loss", patience));
            // Restored by Finish rather than at the end of Fit: the checkpoint of an interrupted run must hold the last weights.
            keepBest = new KeepBest("val_loss", restoreAtEnd: false);
            All.Add(keepBest);
        }
        Description = options.Schedule switch
        {
            "cosine" => $"; lr annealed along a cosine over {step} epochs" + (step < options.Epochs ? " (as stored in the checkpoint; after them the rate rises again)" : ""),
            "step" => string.Create(CultureInfo.InvariantCulture, $"; lr × {options.ScheduleGamma} every {step} epochs"),
            "plateau" => string.Create(CultureInfo.InvariantCulture, $"; lr × {options.ScheduleGamma} after {step} epochs without a lower {monitor}"),
            _ => "",
        } + (options.EarlyStopping is int p ? $"; early stopping after {p} epochs without a lower val_loss" : "");
    }

    /// <summary>The callbacks, to run before the one that writes checkpoints (which reads their state).</summary>
    public List<Callback> All { get; } = [];

    /// <summary>"; lr annealed ..." for the run's first line.</summary>
    public string Description { get; }

    /// <summary>The best weights so far, for the checkpoint's extra tensors.</summary>
    public IReadOnlyDictionary<string, Tensor> Extra() =>
        keepBest?.BestState?.ToDictionary(kv => BestPrefix + kv.Key, kv => kv.Value) ?? new Dictionary<string, Tensor>();

    /// <summary>Hands a resumed checkpoint's best weights back to the early stop.</summary>
    public void Resume(Checkpoint checkpoint)
    {
        var best = checkpoint.Extra.Where(kv => kv.Key.StartsWith(BestPrefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[BestPrefix.Length..], kv => kv.Value);
        if (keepBest is not null && best.Count > 0) keepBest.ResumeWith(best);
    }

    /// <summary>After a finished run: loads the best epoch's weights when stopping early was asked for; says what happened.</summary>
    public string? Finish(Module model, int epochsRun)
    {
        if (keepBest?.BestState is not { } best || keepBest.BestEpoch is not int epoch) return null;
        model.LoadStateDict(best);
        var stop = All.OfType<EarlyStopping>().Single();
        string why = stop.StoppedEpoch is int stopped ? $"stopped after epoch {stopped + 1}" : $"ran all {epochsRun} epochs";
        return string.Create(CultureInfo.InvariantCulture, $"early stopping: {why}; keeping the weights of epoch {epoch + 1} (val_loss {keepBest.Best:0.0000})");
    }
}
