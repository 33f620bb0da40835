using Dendrite.NN;

namespace Dendrite.Training.Callbacks;

/// <summary>What a <see cref="Callback"/> sees: where training is, the latest logs, and a stop switch.</summary>
public sealed class TrainingContext
{
    internal TrainingContext(Trainer trainer, int epochs, int batches, History history)
    {
        Trainer = trainer;
        Epochs = epochs;
        Batches = batches;
        History = history;
    }

    /// <summary>The trainer running the loop.</summary>
    public Trainer Trainer { get; }

    /// <summary>The model being trained.</summary>
    public Module Model => Trainer.Model;

    /// <summary>The current epoch, counted from 0.</summary>
    public int Epoch { get; internal set; }

    /// <summary>The number of epochs asked for.</summary>
    public int Epochs { get; }

    /// <summary>The current batch within the epoch, counted from 0 (−1 outside batches).</summary>
    public int Batch { get; internal set; } = -1;

    /// <summary>The number of batches per epoch.</summary>
    public int Batches { get; }

    /// <summary>
    /// In batch hooks, the batch's <c>loss</c> and <c>size</c>; in OnEpochEnd and OnTrainEnd, the last
    /// epoch's logs (<c>loss</c>, metrics, <c>val_*</c>); empty before the first epoch ends.
    /// </summary>
    public IReadOnlyDictionary<string, double> Logs { get; internal set; } = new Dictionary<string, double>();

    /// <summary>The epochs finished so far.</summary>
    public History History { get; }

    /// <summary>Set to true to end training after the current batch (the epoch is still logged).</summary>
    public bool StopTraining { get; set; }
}
