using System.Globalization;
using Dendrite.Data;
using Dendrite.Data.Preprocessing;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Cli.Commands;

/// <summary>
/// One <c>dendrite train</c> run: set-up (or restoring a checkpoint), <see cref="Trainer.Fit"/> with the
/// run's files and progress as callbacks, and the model file and final evaluation at the end.
/// </summary>
internal sealed class TrainingRun(CliContext context, TrainOptions options, DistributedRun? distributed = null)
{
    /// <summary>Test hook, per async flow: called after every training step with (epoch, batch), both from 0.</summary>
    internal static readonly AsyncLocal<Action<int, int>?> AfterStep = new();

    // The model's generator initialises it and draws its dropout masks; nothing here uses Generator.Default.
    private const string ModelGenerator = "model";
    private const string ModelFileName = "model.safetensors";

    public int Run()
    {
        if (PerceptronRun.Wanted(options))
            return distributed is null ? new PerceptronRun(context, options).Run()
                : throw new CliException("train: the perceptron rule trains in one process; run it without mpirun");
        Checkpoint? checkpoint = null;
        if (options.Resume is not null)
        {
            if (!File.Exists(options.Resume)) throw new CliException($"{options.Resume}: no such checkpoint");
            checkpoint = Checkpoint.Load(options.Resume);
            options.CheckAgainst(checkpoint.Options, options.Resume);
            DistributedRun.CheckWorldSize(checkpoint.Options, options.Resume, distributed);
            options.Restore(checkpoint.Options, options.Resume);
            options.Out ??= Path.GetDirectoryName(Path.GetFullPath(options.Resume));
        }
        // A checkpoint at the end of its last epoch whose run left no model file was stopped while writing it:
        // resuming with the same --epochs trains nothing and writes the model file from the checkpoint.
        bool finishOnly = checkpoint is { ResumePoint.Batch: 0 } && !File.Exists(Path.Combine(options.Out!, ModelFileName));
        options.Validate(checkpoint?.ResumePoint.Epoch, finishOnly);
        // Early stopping watches the validation loss; hold out 10% when no share was given.
        if (options.EarlyStopping is not null && options.ValidationSplit == 0) options.ValidationSplit = 0.1;

        // A spec file does not depend on the data: read it first, so that a mistake in it is reported at once,
        // not after the data has loaded (or instead of an error in the data).
        var spec = checkpoint?.Spec ?? (File.Exists(options.Model) ? ModelSource.Spec(options.Model) : null);
        var data = LabelledData.ForTraining(options);
        spec ??= ModelSource.Spec(options.Model!, data.SampleSize, data.Classes);
        // Before anything is built: weights, gradients and up to two optimizer moments, and a batch's activations.
        spec.CheckMemory(options.Resume ?? $"--model {options.Model}", options.BatchSize, copiesPerParameter: 4);
        var all = DataLoaderFit(data.Train, spec, "the training data");
        var test = data.Test is null ? null : DataLoaderFit(data.Test, spec, "the test data");

        IDataset train = all;
        IDataset? validation = null;
        if (options.ValidationSplit > 0)
        {
            // Its own generator, re-made from the seed, so a resumed run splits exactly as the first did.
            var (t, v) = Dataset.TrainValidationSplit(all, options.ValidationSplit, new Generator(options.Seed ^ 0x9E3779B97F4A7C15UL));
            train = t;
            validation = v;
        }
        int epochs = options.ResolveEpochs(train.Count);
        options.Validate(checkpoint?.ResumePoint.Epoch, finishOnly);

        var modelGenerator = new Generator(options.Seed);
        var model = spec.Build(modelGenerator);
        var optimizer = Optimizers.Create(options.Optimizer, model.Parameters(), options.EffectiveLearningRate, options.WeightDecay);
        var callbacks = new TrainingCallbacks(options, optimizer, validation is not null);
        if (checkpoint is not null)
        {
            callbacks.Resume(checkpoint);
            try
            {
                model.LoadStateDict(checkpoint.Model);
                // Every step so far updated every parameter, so each must have its state in the file.
                var done = checkpoint.ResumePoint;
                optimizer.LoadStateDict(checkpoint.Optimizer, complete: done.Epoch > 0 || done.Batch > 0);
                modelGenerator.SetState(checkpoint.Generators.TryGetValue(ModelGenerator, out var state) ? state
                    : throw new InvalidDataException($"the checkpoint lacks the state of the '{ModelGenerator}' random generator"));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{options.Resume}: {e.Message}", e);
            }
        }

        string outDir = options.Out ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        bool leader = distributed?.Leader ?? true;
        if (leader) Directory.CreateDirectory(outDir);

        var accuracy = new Accuracy();
        var trainer = new Trainer(model, new CrossEntropyLoss(), optimizer, accuracy)
        {
            DataParallel = distributed?.DataParallel,
            OnNonFiniteLoss = options.OnNan == "skip" ? NonFiniteLossPolicy.Skip : NonFiniteLossPolicy.Stop,
        };
        // The shuffle generator's state travels in the checkpoint's resume point; Fit restores it.
        var loader = new DataLoader(train, options.BatchSize, shuffle: true, generator: new Generator(options.Seed + 1));
        var validationLoader = validation is null ? null : new DataLoader(validation, 256);

        var resume = checkpoint?.ResumePoint;
        // A checkpoint is only ever written inside an epoch before its last batch, so a stored step at or past
        // the epoch's end is a corrupt file (or other data), not something to resume by skipping the epoch.
        if (resume is { } point && (point.Batch < 0 || point.Batch >= loader.Count))
            throw new InvalidDataException($"{options.Resume}: corrupt checkpoint: its resume point is batch {point.Batch + 1} of epoch {point.Epoch + 1}, " +
                                           $"but an epoch of {options.Data} has {loader.Count} batches");
        context.Out.WriteLine($"training {Describe(spec)} on {train.Count:N0} samples ({data.Kind}{(validation is null ? "" : $", {validation.Count:N0} held out for validation")}) " +
                              $"{(distributed is null ? "" : $"in {distributed.Size} processes ")}with {options.Optimizer} lr {options.EffectiveLearningRate.ToString(CultureInfo.InvariantCulture)}, batch {options.BatchSize}, {epochs} epochs{callbacks.Description}{Preparation(data)}" +
                              (resume is null ? "" : resume.Epoch == epochs ? $"; all {epochs} epochs are in the checkpoint, writing the model file it lacks"
                                  : $"; resuming at epoch {resume.Epoch + 1}{(resume.Batch > 0 ? $", batch {resume.Batch + 1}" : "")}"));

        var files = new RunFiles(outDir, point => new Checkpoint
        {
            Spec = spec,
            Model = model.StateDict(),
            Optimizer = optimizer.StateDict(),
            Extra = callbacks.Extra(),
            ResumePoint = point,
            Generators = new Dictionary<string, ulong[]> { [ModelGenerator] = modelGenerator.GetState() },
            Options = DistributedRun.Stamp(options.ToStrings(), distributed),
        });
        if (distributed is not null) distributed.Checkpoint = (files.CheckpointPath, options.ResumeCommand(files.CheckpointPath));
        var progress = new EpochProgress(context, accuracy);
        var step = new StepHook();
        History history = null!;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var skips = new SkipCounter();
        try
        {
            // Every rank runs the callbacks that steer training (their logs are the same on every rank); only rank 0
            // writes files.
            progress.Show(() => history = trainer.Fit(loader, epochs, validationLoader, leader ? [.. callbacks.All, files, progress, step, skips] : [.. callbacks.All, progress, step, skips], resume, context.Cancellation));
        }
        catch (TrainingDivergedException e)
        {
            // The checkpoint is only written at epoch ends, so the one on disk predates the divergence.
            throw new CliException(e.Message + (File.Exists(files.CheckpointPath)
                ? $"; the last good checkpoint is kept: {files.CheckpointPath}" : "; no epoch finished, so no checkpoint was written"));
        }
        if (skips.Count > 0 && leader)
            context.Error.WriteLine($"skipped the update of {skips.Count} batch{(skips.Count == 1 ? "" : "es")} whose loss was not finite (--on-nan skip)");
        if (step.Cancelled)
        {
            if (leader) context.Error.WriteLine($"interrupted: resume with {distributed?.Launch}{options.ResumeCommand(files.CheckpointPath)}");
            return Program.Interrupted;
        }
        if (!leader) return Program.Success;
        if (distributed is not null)
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rank 0 spent {distributed.DataParallel.AllReduceTime.TotalSeconds:0.00} s of {clock.Elapsed.TotalSeconds:0.00} s in gradient all-reduces ({distributed.DataParallel.AllReduceTime / clock.Elapsed:P0})"));

        if (callbacks.Finish(model, history.Count) is { } note) context.Out.WriteLine(note);

        var facts = new Dictionary<string, string>
        {
            ["epochs"] = history.Count.ToString(CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["data"] = options.Data!,
            ["optimizer"] = options.Optimizer,
            ["lr"] = options.EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["classes"] = string.Join(",", data.ClassNames),
            ["target"] = options.Target ?? "",
        };
        if (data.Preprocessor is { } preprocessor) facts[Preprocessor.MetadataKey] = preprocessor.ToJson();
        if (data.TestRows is { } testRows)
            File.WriteAllLines(Path.Combine(outDir, "test-rows.txt"), testRows.Select(r => r.ToString(CultureInfo.InvariantCulture)));
        var final = test ?? (IDataset?)validation;
        string finalName = test is not null ? "test" : validation is not null ? "validation" : "training";
        var results = trainer.Evaluate(new DataLoader(final ?? train, 256));
        facts[$"{finalName}_accuracy"] = results["accuracy"].ToString("R", CultureInfo.InvariantCulture);
        facts[$"{finalName}_loss"] = results["loss"].ToString("R", CultureInfo.InvariantCulture);
        string modelPath = Path.Combine(outDir, ModelFileName);
        ModelFile.Save(modelPath, model, spec, facts);
        context.Out.WriteLine($"wrote {modelPath}, {files.CheckpointPath}, history.csv, loss.svg and accuracy.svg in {outDir}");
        context.Out.WriteLine($"{finalName} accuracy: {results["accuracy"].ToString("0.0000", CultureInfo.InvariantCulture)} " +
                              $"(loss {results["loss"].ToString("0.0000", CultureInfo.InvariantCulture)}, {(final ?? train).Count:N0} samples)");
        return Program.Success;
    }

    private static TensorDataset DataLoaderFit(TensorDataset data, ModelSpec spec, string what)
    {
        var fitted = LabelledData.Fit(data, spec, what);
        LabelledData.CheckClasses(fitted, spec, what);
        return fitted;
    }

    /// <summary>", standardised" and what else was done to the inputs, for the first line.</summary>
    private static string Preparation(LabelledData data)
    {
        if (data.Preprocessor is not { } p) return "";
        var parts = new List<string>();
        if (p.Scaler is not null) parts.Add(p.Columns.Count == 0 ? "inputs standardised" : "numeric features standardised");
        int text = p.Columns.Count(c => c.Encoder is not null);
        if (text > 0) parts.Add($"{text} text column{(text == 1 ? "" : "s")} one-hot encoded");
        int imputed = p.Columns.Count(c => c.Imputer is not null || c.FillCategory is not null);
        if (imputed > 0) parts.Add($"missing values imputed in {imputed} column{(imputed == 1 ? "" : "s")}");
        return parts.Count == 0 ? "" : "; " + string.Join(", ", parts);
    }

    private static string Describe(ModelSpec spec)
    {
        // Layers as the course counts them: those with weights (linear and convolution), the last being the
        // output layer; activations, pooling and flattening are steps within or between them.
        var shapes = spec.InferShapes();
        long parameters = shapes.Sum(l => l.Parameters);
        int weighted = shapes.Count(l => l.Type is "linear" or "conv2d");
        string hidden = weighted <= 1 ? "no hidden layer" : $"{weighted - 1} hidden + output";
        return $"a {weighted}-layer network ({hidden}; {parameters:N0} parameters)";
    }

    private sealed class SkipCounter : Callback
    {
        public int Count { get; private set; }

        public override void OnTrainEnd(TrainingContext context) => Count = context.SkippedBatches;
    }

    private sealed class StepHook : Callback
    {
        /// <summary>Whether the run stopped for Ctrl+C (on any rank of a distributed run) before its last epoch.</summary>
        public bool Cancelled { get; private set; }

        public override void OnBatchEnd(TrainingContext context) => AfterStep.Value?.Invoke(context.Epoch, context.Batch);

        public override void OnTrainEnd(TrainingContext context) => Cancelled = context.Cancelled;
    }
}
