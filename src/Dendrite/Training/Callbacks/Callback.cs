namespace Dendrite.Training.Callbacks;

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>, like Keras callbacks. The order is OnTrainBegin, then per epoch
/// OnEpochBegin, (OnBatchBegin, OnBatchEnd) per batch, OnEpochEnd (after validation, so the logs hold
/// <c>val_*</c> too), and OnTrainEnd last — also after an early stop or a cancellation, but not when
/// training fails with an exception. Setting <see cref="TrainingContext.StopTraining"/> ends training
/// after the current batch. A resumed <c>Fit</c> calls OnEpochBegin for the epoch it continues, and the
/// batch hooks for the batches it has still to train on.
/// </summary>
/// <remarks>
/// A callback that keeps state across epochs (a scheduler's step count, an early stop's patience) returns
/// it from <see cref="GetState"/>: it then travels in every <see cref="ResumePoint"/>, and a <c>Fit</c>
/// resumed from one hands it back to <see cref="SetState"/> right after OnTrainBegin.
/// </remarks>
public abstract class Callback
{
    /// <summary>Before the first epoch (on a resumed run, before <see cref="SetState"/>).</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>After the last epoch (or the one that stopped training, or the step a cancellation stopped at).</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>At the start of each epoch.</summary>
    public virtual void OnEpochBegin(TrainingContext context) { }

    /// <summary>After each epoch, with its logs (training and validation) in <see cref="TrainingContext.Logs"/>.</summary>
    public virtual void OnEpochEnd(TrainingContext context) { }

    /// <summary>Before each training batch.</summary>
    public virtual void OnBatchBegin(TrainingContext context) { }

    /// <summary>After each training batch's optimizer step; <see cref="TrainingContext.Logs"/> holds <c>loss</c> and <c>size</c> of the batch.</summary>
    public virtual void OnBatchEnd(TrainingContext context) { }

    /// <summary>The key of this callback's state in <see cref="ResumePoint.Callbacks"/>; the type name unless overridden (two stateful callbacks need distinct keys).</summary>
    public virtual string StateKey => GetType().Name;

    /// <summary>The state to carry across an interruption, or null (the default) when the callback keeps none.</summary>
    public virtual IReadOnlyDictionary<string, double>? GetState() => null;

    /// <summary>Takes back what <see cref="GetState"/> returned, when a <c>Fit</c> resumes.</summary>
    public virtual void SetState(IReadOnlyDictionary<string, double> state) { }
}
