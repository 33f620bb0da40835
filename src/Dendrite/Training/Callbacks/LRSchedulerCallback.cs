using Dendrite.Optim.Schedulers;

namespace Dendrite.Training.Callbacks;

/// <summary>
/// Steps a learning-rate scheduler at the end of every epoch, like Keras's LearningRateScheduler callback
/// or the usual <c>scheduler.step()</c> after each epoch in a PyTorch loop. A <see cref="ReduceLROnPlateau"/>
/// is stepped with the monitored value from the epoch's logs (default <c>val_loss</c>).
/// </summary>
public sealed class LRSchedulerCallback : Callback
{
    private readonly LRScheduler? scheduler;
    private readonly ReduceLROnPlateau? plateau;
    private readonly string monitor;

    /// <summary>Steps <paramref name="scheduler"/> once per epoch.</summary>
    public LRSchedulerCallback(LRScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        this.scheduler = scheduler;
        monitor = "";
    }

    /// <summary>Steps <paramref name="plateau"/> with the epoch's value of <paramref name="monitor"/>.</summary>
    public LRSchedulerCallback(ReduceLROnPlateau plateau, string monitor = "val_loss")
    {
        ArgumentNullException.ThrowIfNull(plateau);
        this.plateau = plateau;
        this.monitor = monitor;
    }

    /// <summary>The scheduler's state (<see cref="LRScheduler.StateDict"/>), so a resumed <c>Fit</c> continues the schedule.</summary>
    public override IReadOnlyDictionary<string, double>? GetState() => scheduler?.StateDict() ?? plateau!.StateDict();

    /// <inheritdoc />
    public override void SetState(IReadOnlyDictionary<string, double> state)
    {
        if (scheduler is not null) scheduler.LoadStateDict(state);
        else plateau!.LoadStateDict(state);
    }

    /// <inheritdoc />
    public override void OnEpochEnd(TrainingContext context)
    {
        if (scheduler is not null)
        {
            scheduler.Step();
            return;
        }
        if (!context.Logs.TryGetValue(monitor, out double value))
            throw new InvalidOperationException(
                $"LRSchedulerCallback: '{monitor}' is not in the epoch's logs ({string.Join(", ", context.Logs.Keys)}); pass validation data or monitor another key");
        plateau!.Step(value);
    }
}
