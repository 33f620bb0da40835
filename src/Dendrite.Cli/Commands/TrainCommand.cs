using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Dendrite.Autograd;
using Dendrite.Cli.Plotting;
using Dendrite.Data;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Metrics;
using Spectre.Console;

namespace Dendrite.Cli.Commands;

/// <summary>
/// <c>dendrite train</c>: trains a classifier with cross-entropy, writing into <c>--out</c> the model file,
/// a checkpoint after every epoch (and on Ctrl+C, after the current step), <c>history.csv</c> and loss and
/// accuracy curves as SVG. <c>--epochs</c> is the total: a resumed run continues up to it, with the
/// model, data and optimizer settings stored in the checkpoint, and ends with bit-identical weights to an
/// uninterrupted run.
/// </summary>
internal static class TrainCommand
{
    /// <summary>Test hook, per async flow: called after every training step with (epoch, batch), both from 0.</summary>
    internal static readonly AsyncLocal<Action<int, int>?> AfterStep = new();

    private static readonly string[] Optimizers = ["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"];

    public static Command Create(CliContext context)
    {
        var model = new Option<string>("--model", "-m") { Description = "Model spec (.json) or built-in name: lenet5, lenet1998, perceptron, mlp:256,128[:tanh]" };
        var data = new Option<string>("--data", "-d") { Description = "Directory with MNIST IDX files, or a CSV file (with --target)" };
        var target = new Option<string>("--target") { Description = "CSV column holding the class" };
        var epochs = new Option<int>("--epochs") { Description = "Total epochs (a resumed run continues up to this count)", DefaultValueFactory = _ => 10 };
        var batchSize = new Option<int>("--batch-size") { Description = "Samples per step", DefaultValueFactory = _ => 64 };
        var optimizer = new Option<string>("--optimizer") { Description = "sgd, momentum (SGD with momentum 0.9), adam, adamw, rmsprop or adagrad", DefaultValueFactory = _ => "sgd" };
        optimizer.AcceptOnlyFromAmong(Optimizers);
        var lr = new Option<float?>("--lr") { Description = "Learning rate (default: 0.05 for sgd/momentum, 0.001 for adam/adamw, 0.01 for rmsprop/adagrad)" };
        var weightDecay = new Option<float>("--weight-decay") { Description = "L2 weight decay (decoupled for adamw)", DefaultValueFactory = _ => 0f };
        var seed = new Option<ulong>("--seed") { Description = "Seed for initialisation, shuffling and the validation split", DefaultValueFactory = _ => 0UL };
        var valSplit = new Option<double>("--val-split") { Description = "Fraction of the training data held out for validation (0 to 0.9)", DefaultValueFactory = _ => 0.0 };
        var output = new Option<string>("--out", "-o") { Description = "Output directory (default runs/YYYYMMDD-HHMMSS, or the checkpoint's directory when resuming)" };
        var resume = new Option<string>("--resume") { Description = "Continue from this checkpoint (model, data and optimizer settings come from it)" };

        var command = new Command("train", "Train a model on MNIST-format data or a CSV; writes the model file, checkpoints, history and curves")
        {
            model, data, target, epochs, batchSize, optimizer, lr, weightDecay, seed, valSplit, output, resume,
        };
        command.SetAction(parse =>
        {
            var options = new TrainOptions
            {
                Model = parse.GetValue(model),
                Data = parse.GetValue(data),
                Target = parse.GetValue(target),
                Epochs = parse.GetValue(epochs),
                BatchSize = parse.GetValue(batchSize),
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr),
                WeightDecay = parse.GetValue(weightDecay),
                Seed = parse.GetValue(seed),
                ValidationSplit = parse.GetValue(valSplit),
                Out = parse.GetValue(output),
                Resume = parse.GetValue(resume),
            };
            return new TrainingRun(context, options).Run();
        });
        return command;
    }
}

/// <summary>What <c>dendrite train</c> was asked to do; stored in checkpoints as strings.</summary>
internal sealed class TrainOptions
{
    public string? Model { get; set; }
    public string? Data { get; set; }
    public string? Target { get; set; }
    public int Epochs { get; set; } = 10;
    public int BatchSize { get; set; } = 64;
    public string Optimizer { get; set; } = "sgd";
    public float? LearningRate { get; set; }
    public float WeightDecay { get; set; }
    public ulong Seed { get; set; }
    public double ValidationSplit { get; set; }
    public string? Out { get; set; }
    public string? Resume { get; set; }

    public float EffectiveLearningRate => LearningRate ?? Optimizer switch
    {
        "sgd" or "momentum" => 0.05f,
        "adam" or "adamw" => 1e-3f,
        _ => 0.01f,
    };

    public Dictionary<string, string> ToStrings() => new()
    {
        ["model"] = Model ?? "",
        ["data"] = Path.GetFullPath(Data!),
        ["target"] = Target ?? "",
        ["batch_size"] = Inv(BatchSize),
        ["optimizer"] = Optimizer,
        ["lr"] = EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["seed"] = Inv(Seed),
        ["val_split"] = ValidationSplit.ToString("R", CultureInfo.InvariantCulture),
    };

    /// <summary>Takes the stored settings of a checkpoint (all but epochs and the output directory).</summary>
    public void Restore(IReadOnlyDictionary<string, string> stored, string checkpoint)
    {
        string Get(string key) => stored.TryGetValue(key, out var v) ? v
            : throw new InvalidDataException($"{checkpoint}: the checkpoint's training options lack '{key}'");
        try
        {
            Model = Get("model");
            Data ??= Get("data");
            Target = Get("target") is { Length: > 0 } t ? t : null;
            BatchSize = int.Parse(Get("batch_size"), CultureInfo.InvariantCulture);
            Optimizer = Get("optimizer");
            LearningRate = float.Parse(Get("lr"), CultureInfo.InvariantCulture);
            WeightDecay = float.Parse(Get("weight_decay"), CultureInfo.InvariantCulture);
            Seed = ulong.Parse(Get("seed"), CultureInfo.InvariantCulture);
            ValidationSplit = double.Parse(Get("val_split"), CultureInfo.InvariantCulture);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{checkpoint}: the checkpoint's training options are corrupt ({e.Message})", e);
        }
    }

    /// <summary>The command that repeats this run from <paramref name="checkpoint"/>.</summary>
    public string ResumeCommand(string checkpoint) =>
        $"dendrite train --data {Quote(Data!)} --epochs {Epochs} --resume {Quote(checkpoint)}";

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    private static string Inv<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}

/// <summary>One training run: set-up, the epoch loop with checkpoints, and the files written at the end.</summary>
internal sealed class TrainingRun(CliContext context, TrainOptions options)
{
    // The model's generator initialises it and draws its dropout masks; nothing here uses Generator.Default.
    private const string ShuffleGenerator = "shuffle", ModelGenerator = "model";

    private readonly List<IReadOnlyDictionary<string, double>> history = [];

    public int Run()
    {
        Checkpoint? checkpoint = null;
        if (options.Resume is not null)
        {
            if (!File.Exists(options.Resume)) throw new CliException($"{options.Resume}: no such checkpoint");
            checkpoint = Checkpoint.Load(options.Resume);
            options.Restore(checkpoint.Options, options.Resume);
            options.Out ??= Path.GetDirectoryName(Path.GetFullPath(options.Resume));
        }
        if (options.Model is null) throw new CliException("train: --model is required (a spec file or a name such as lenet5)", usage: true);
        if (options.Data is null) throw new CliException("train: --data is required (an MNIST directory or a CSV file)", usage: true);
        if (options.Epochs < 1) throw new CliException($"train: --epochs must be at least 1, got {options.Epochs}", usage: true);
        if (options.BatchSize < 1) throw new CliException($"train: --batch-size must be at least 1, got {options.BatchSize}", usage: true);
        if (options.ValidationSplit is < 0 or > 0.9 || double.IsNaN(options.ValidationSplit))
            throw new CliException($"train: --val-split must lie in [0, 0.9], got {options.ValidationSplit}", usage: true);
        if (options.LearningRate is { } given && !(given > 0 && float.IsFinite(given)))
            throw new CliException($"train: --lr must be positive, got {given}", usage: true);
        if (!(options.WeightDecay >= 0) || !float.IsFinite(options.WeightDecay))
            throw new CliException($"train: --weight-decay must not be negative, got {options.WeightDecay}", usage: true);
        if (checkpoint is not null && checkpoint.Epoch >= options.Epochs)
            throw new CliException($"{options.Resume}: already trained for {checkpoint.Epoch} epochs; pass --epochs above {checkpoint.Epoch} to continue", usage: true);

        var data = LabelledData.Load(options.Data, options.Target);
        var spec = checkpoint?.Spec ?? ModelSource.Spec(options.Model, data.SampleSize, data.Classes);
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

        var modelGenerator = new Generator(options.Seed);
        var shuffleGenerator = new Generator(options.Seed + 1);
        var model = spec.Build(modelGenerator);
        var optimizer = MakeOptimizer(model);
        int startEpoch = 0, skipBatches = 0;
        var partial = new Dictionary<string, double>();
        if (checkpoint is not null)
        {
            try
            {
                model.LoadStateDict(checkpoint.Model);
                optimizer.LoadStateDict(checkpoint.Optimizer);
                modelGenerator.SetState(Generator(checkpoint, ModelGenerator));
                shuffleGenerator.SetState(Generator(checkpoint, ShuffleGenerator));
            }
            catch (ArgumentException e)
            {
                throw new InvalidDataException($"{options.Resume}: {e.Message}", e);
            }
            history.AddRange(checkpoint.History);
            startEpoch = checkpoint.Epoch;
            skipBatches = checkpoint.Batch;
            partial = new Dictionary<string, double>(checkpoint.Partial);
        }

        string outDir = options.Out ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(outDir);
        string checkpointPath = Path.Combine(outDir, "checkpoint.ckpt");

        var loss = new CrossEntropyLoss();
        var evaluator = new Trainer(model, loss, optimizer, new Accuracy());
        var loader = new DataLoader(train, options.BatchSize, shuffle: true, generator: shuffleGenerator);
        var validationLoader = validation is null ? null : new DataLoader(validation, 256);

        context.Out.WriteLine($"training {Describe(spec)} on {train.Count:N0} samples ({data.Kind}{(validation is null ? "" : $", {validation.Count:N0} held out for validation")}) " +
                              $"with {options.Optimizer} lr {options.EffectiveLearningRate.ToString(CultureInfo.InvariantCulture)}, batch {options.BatchSize}" +
                              (checkpoint is null ? "" : $"; resuming at epoch {startEpoch + 1}{(skipBatches > 0 ? $", batch {skipBatches + 1}" : "")}"));

        Checkpoint Snapshot(int epoch, int batch, ulong[] shuffleState, IReadOnlyDictionary<string, double> sums) => new()
        {
            Spec = spec,
            Model = model.StateDict(),
            Optimizer = optimizer.StateDict(),
            Epoch = epoch,
            Batch = batch,
            Generators = new Dictionary<string, ulong[]>
            {
                [ShuffleGenerator] = shuffleState,
                [ModelGenerator] = modelGenerator.GetState(),
            },
            History = [.. history],
            Partial = sums,
            Options = options.ToStrings(),
        };

        var progress = new EpochProgress(context, options.Epochs);
        bool interrupted = progress.Run(report =>
        {
            for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
            {
                // The order of an epoch is drawn when its enumeration starts; keep the state from before, so
                // an interrupted epoch can be replayed in the same order.
                ulong[] epochStart = shuffleGenerator.GetState();
                double lossSum = partial.GetValueOrDefault("loss_sum"), correct = partial.GetValueOrDefault("correct"), samples = partial.GetValueOrDefault("samples");
                partial = [];
                var clock = Stopwatch.StartNew();
                long timedSamples = 0;
                int batch = 0;
                report.BeginEpoch(epoch, loader.Count);
                foreach (var b in loader)
                {
                    if (batch < skipBatches)
                    {
                        batch++;
                        continue;
                    }
                    float value;
                    using (new TensorScope())
                    {
                        optimizer.ZeroGrad();
                        var outputs = model.Forward(b.Inputs);
                        var l = loss.Forward(outputs, b.Targets);
                        value = l.Item();
                        if (!float.IsFinite(value))
                            throw new CliException($"training diverged: the loss became {value.ToString(CultureInfo.InvariantCulture)} at epoch {epoch + 1}, batch {batch + 1}; try a smaller --lr (the last checkpoint is kept)");
                        l.Backward();
                        optimizer.Step();
                        using (GradMode.NoGrad()) correct += outputs.ArgMax(1).Eq(b.Targets).Sum().Item();
                    }
                    lossSum += (double)value * b.Size;
                    samples += b.Size;
                    timedSamples += b.Size;
                    batch++;
                    TrainCommand.AfterStep.Value?.Invoke(epoch, batch - 1);
                    report.Step(batch, lossSum / samples, correct / samples, timedSamples / clock.Elapsed.TotalSeconds);
                    if (context.Cancellation.IsCancellationRequested && batch < loader.Count)
                    {
                        Snapshot(epoch, batch, epochStart, new Dictionary<string, double> { ["loss_sum"] = lossSum, ["correct"] = correct, ["samples"] = samples })
                            .Save(checkpointPath);
                        return true;
                    }
                }
                skipBatches = 0;
                var logs = new Dictionary<string, double> { ["loss"] = lossSum / samples, ["accuracy"] = correct / samples };
                if (validationLoader is not null)
                    foreach (var (key, value) in evaluator.Evaluate(validationLoader)) logs["val_" + key] = value;
                history.Add(logs);
                Snapshot(epoch + 1, 0, shuffleGenerator.GetState(), new Dictionary<string, double>()).Save(checkpointPath);
                WriteHistory(outDir);
                report.EndEpoch(epoch, logs, timedSamples / clock.Elapsed.TotalSeconds, clock.Elapsed);
                if (context.Cancellation.IsCancellationRequested && epoch + 1 < options.Epochs) return true;
            }
            return false;
        });

        if (interrupted)
        {
            context.Error.WriteLine($"interrupted: resume with {options.ResumeCommand(checkpointPath)}");
            return Program.Interrupted;
        }

        var facts = new Dictionary<string, string>
        {
            ["epochs"] = history.Count.ToString(CultureInfo.InvariantCulture),
            ["date"] = DateTime.UtcNow.ToString("o", CultureInfo.InvariantCulture),
            ["seed"] = options.Seed.ToString(CultureInfo.InvariantCulture),
            ["data"] = options.Data,
            ["optimizer"] = options.Optimizer,
            ["lr"] = options.EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["batch_size"] = options.BatchSize.ToString(CultureInfo.InvariantCulture),
            ["classes"] = string.Join(",", data.ClassNames),
            ["target"] = options.Target ?? "",
        };
        var final = test ?? (IDataset?)validation;
        string finalName = test is not null ? "test" : validation is not null ? "validation" : "training";
        var results = evaluator.Evaluate(new DataLoader(final ?? train, 256));
        facts[$"{finalName}_accuracy"] = results["accuracy"].ToString("R", CultureInfo.InvariantCulture);
        facts[$"{finalName}_loss"] = results["loss"].ToString("R", CultureInfo.InvariantCulture);
        string modelPath = Path.Combine(outDir, "model.safetensors");
        ModelFile.Save(modelPath, model, spec, facts);
        context.Out.WriteLine($"wrote {modelPath}, {checkpointPath}, history.csv, loss.svg and accuracy.svg in {outDir}");
        context.Out.WriteLine($"{finalName} accuracy: {results["accuracy"].ToString("0.0000", CultureInfo.InvariantCulture)} " +
                              $"(loss {results["loss"].ToString("0.0000", CultureInfo.InvariantCulture)}, {(final ?? train).Count:N0} samples)");
        return Program.Success;
    }

    private static ulong[] Generator(Checkpoint checkpoint, string name) =>
        checkpoint.Generators.TryGetValue(name, out var state) ? state
            : throw new InvalidDataException($"the checkpoint lacks the state of the '{name}' random generator");

    private static TensorDataset DataLoaderFit(TensorDataset data, ModelSpec spec, string what)
    {
        var fitted = LabelledData.Fit(data, spec, what);
        LabelledData.CheckClasses(fitted, spec, what);
        return fitted;
    }

    private Optimizer MakeOptimizer(Module model)
    {
        float lr = options.EffectiveLearningRate, wd = options.WeightDecay;
        var parameters = model.Parameters();
        return options.Optimizer switch
        {
            "sgd" => new Sgd(parameters, lr, weightDecay: wd),
            "momentum" => new Sgd(parameters, lr, momentum: 0.9f, weightDecay: wd),
            "adam" => new Adam(parameters, lr, weightDecay: wd),
            "adamw" => new AdamW(parameters, lr, weightDecay: wd),
            "rmsprop" => new RmsProp(parameters, lr, weightDecay: wd),
            "adagrad" => new Adagrad(parameters, lr, weightDecay: wd),
            _ => throw new CliException($"train: unknown optimizer '{options.Optimizer}' (use {string.Join(", ", ["sgd", "momentum", "adam", "adamw", "rmsprop", "adagrad"])})", usage: true),
        };
    }

    private static string Describe(ModelSpec spec)
    {
        long parameters = spec.InferShapes().Sum(l => l.Parameters);
        return $"a {spec.Layers.Count}-layer model ({parameters:N0} parameters)";
    }

    private void WriteHistory(string outDir)
    {
        var csv = new StringBuilder("epoch,loss,accuracy,val_loss,val_accuracy\n");
        for (int i = 0; i < history.Count; i++)
        {
            var h = history[i];
            string V(string key) => h.TryGetValue(key, out var v) ? v.ToString("R", CultureInfo.InvariantCulture) : "";
            csv.Append(CultureInfo.InvariantCulture, $"{i + 1},{V("loss")},{V("accuracy")},{V("val_loss")},{V("val_accuracy")}\n");
        }
        File.WriteAllText(Path.Combine(outDir, "history.csv"), csv.ToString());
        IReadOnlyList<double> Series(string key) => history.Select(h => h.TryGetValue(key, out var v) ? v : double.NaN).ToList();
        bool hasValidation = history.Any(h => h.ContainsKey("val_loss"));
        foreach (var (key, title) in new[] { ("loss", "Loss"), ("accuracy", "Accuracy") })
        {
            var series = new List<(string, IReadOnlyList<double>)> { ("train", Series(key)) };
            if (hasValidation) series.Add(("validation", Series("val_" + key)));
            SvgChart.Write(Path.Combine(outDir, key + ".svg"), $"{title} per epoch", key, series);
        }
    }
}

/// <summary>Per-epoch progress: a live Spectre bar on a terminal, one plain line per epoch otherwise.</summary>
internal sealed class EpochProgress(CliContext context, int epochs)
{
    public bool Run(Func<EpochProgress, bool> body)
    {
        if (!context.Terminal) return body(this);
        bool result = false;
        context.Console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn { Width = 20 }, new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                progress = ctx;
                result = body(this);
            });
        return result;
    }

    private ProgressContext? progress;
    private ProgressTask? task;
    private int epoch;

    public void BeginEpoch(int index, int batches)
    {
        epoch = index;
        task = progress?.AddTask($"epoch {index + 1}/{epochs}", maxValue: batches);
    }

    public void Step(int batchesDone, double loss, double accuracy, double samplesPerSecond)
    {
        if (task is null) return;
        task.Value = batchesDone;
        task.Description = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch + 1}/{epochs} loss {loss:0.0000} acc {accuracy:0.0000} {samplesPerSecond:N0} samples/s");
    }

    public void EndEpoch(int index, IReadOnlyDictionary<string, double> logs, double samplesPerSecond, TimeSpan elapsed)
    {
        var line = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"epoch {index + 1}/{epochs}"));
        foreach (var (key, value) in logs) line.Append(CultureInfo.InvariantCulture, $"  {key} {value:0.0000}");
        line.Append(CultureInfo.InvariantCulture, $"  {samplesPerSecond:N0} samples/s  {elapsed.TotalSeconds:0.0}s");
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
