namespace Dendrite.Training.Callbacks;

/// <summary>
/// Hooks into <see cref="Trainer.Fit"/>, like Keras callbacks. The order is OnTrainBegin, then per epoch
/// OnEpochBegin, (OnBatchBegin, OnBatchEnd) per batch, OnEpochEnd (after validation, so the logs hold
/// <c>val_*</c> too), and OnTrainEnd last — also after an early stop, but not when training fails with an
/// exception. Setting <see cref="TrainingContext.StopTraining"/> ends training after the current batch.
/// </summary>
public abstract class Callback
{
    /// <summary>Before the first epoch.</summary>
    public virtual void OnTrainBegin(TrainingContext context) { }

    /// <summary>After the last epoch (or the one that stopped training).</summary>
    public virtual void OnTrainEnd(TrainingContext context) { }

    /// <summary>At the start of each epoch.</summary>
    public virtual void OnEpochBegin(TrainingContext context) { }

    /// <summary>After each epoch, with its logs (training and validation) in <see cref="TrainingContext.Logs"/>.</summary>
    public virtual void OnEpochEnd(TrainingContext context) { }

    /// <summary>Before each training batch.</summary>
    public virtual void OnBatchBegin(TrainingContext context) { }

    /// <summary>After each training batch's optimizer step; <see cref="TrainingContext.Logs"/> holds <c>loss</c> and <c>size</c> of the batch.</summary>
    public virtual void OnBatchEnd(TrainingContext context) { }
}
