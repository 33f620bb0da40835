using System.Globalization;
using Dendrite.Optim;

namespace Dendrite.Cli.Commands;

/// <summary>What <c>dendrite train</c> was asked to do; stored in checkpoints as strings.</summary>
internal sealed class TrainOptions
{
    public string? Model { get; set; }
    public string? Data { get; set; }
    public string? Target { get; set; }
    /// <summary>Total epochs; null until <see cref="ResolveEpochs"/> picks them from the data's size.</summary>
    public int? Epochs { get; set; }
    public int BatchSize { get; set; } = DefaultBatchSize;
    public string Optimizer { get; set; } = DefaultOptimizer;
    public float? LearningRate { get; set; }
    public float WeightDecay { get; set; }
    public ulong Seed { get; set; }
    public double ValidationSplit { get; set; }
    public double TestSplit { get; set; }
    public string? TestFile { get; set; }
    public bool Standardize { get; set; } = true;
    public string Impute { get; set; } = "none";
    public string Schedule { get; set; } = DefaultSchedule;
    public int? ScheduleStep { get; set; }
    public float ScheduleGamma { get; set; } = 0.1f;
    public int? EarlyStopping { get; set; }
    /// <summary>"stop" or "skip": what a non-finite loss does. Not stored in checkpoints: a resumed run may choose again.</summary>
    public string OnNan { get; set; } = "stop";

    /// <summary>The options given on the command line (names such as <c>--lr</c>), checked against a resumed checkpoint's.</summary>
    public IReadOnlySet<string> Given { get; set; } = new HashSet<string>();

    public static readonly string[] Schedules = ["cosine", "step", "plateau", "none"];

    // No schedule unless asked for: annealing over --epochs ties the rates to the planned length, so a run
    // continued past it with --resume would no longer match one planned that long; and on the MNIST
    // sample a cosine moved LeNet-5's 10-epoch test accuracy by 0.05 points (docs/training.md).
    public const string DefaultSchedule = "none";
    public const int DefaultPatience = 10;
    private const int DefaultPlateauPatience = 5;

    /// <summary>cosine: the epochs it anneals over; step: epochs between cuts; plateau: epochs without improvement before one.</summary>
    public int EffectiveScheduleStep => ScheduleStep ?? Schedule switch
    {
        "plateau" => DefaultPlateauPatience,
        "cosine" => Epochs ?? 10,
        _ => Math.Max(1, (Epochs ?? 10) / 3),
    };

    // The options that are settings stored in a checkpoint, by their key there.
    private static readonly (string Option, string Key)[] Stored =
    [
        ("--model", "model"), ("--target", "target"), ("--batch-size", "batch_size"), ("--optimizer", "optimizer"), ("--lr", "lr"),
        ("--weight-decay", "weight_decay"), ("--seed", "seed"), ("--val-split", "val_split"), ("--test-split", "test_split"), ("--test", "test"),
        ("--no-standardize", "standardize"), ("--impute", "impute"), ("--lr-schedule", "lr_schedule"), ("--lr-step", "lr_step"),
        ("--lr-gamma", "lr_gamma"), ("--early-stopping", "early_stopping"),
    ];

    /// <summary>
    /// Refuses a resume whose command line sets an option to something other than the checkpoint's value:
    /// the run continues with the checkpoint's settings, so a different one would be silently ignored.
    /// Call before <see cref="Restore"/>.
    /// </summary>
    public void CheckAgainst(IReadOnlyDictionary<string, string> stored, string checkpoint)
    {
        var asked = ToStrings();
        var differences = Stored.Where(o => Given.Contains(o.Option) && stored.TryGetValue(o.Key, out var was) && was != asked[o.Key])
            .Select(o => $"{o.Option} {(asked[o.Key].Length == 0 ? "(none)" : asked[o.Key])} where the checkpoint has {(stored[o.Key].Length == 0 ? "none" : stored[o.Key])}")
            .ToList();
        if (differences.Count > 0)
            throw new CliException($"{checkpoint}: a resumed run continues with the checkpoint's settings, but the command line gives {string.Join("; ", differences)}; " +
                                   "drop those options, or start a new run with --out", usage: true);
    }
    public string? Out { get; set; }
    public string? Resume { get; set; }

    // Adam at PyTorch's lr 1e-3 with batches of 32 is what a Keras or PyTorch tutorial starts from, and it
    // trains the zoo's MLPs and LeNets on unscaled-free (standardised) inputs without tuning; plain SGD at one
    // fixed rate needs a rate per data set. See docs/training.md for the measurements behind them.
    public const int DefaultBatchSize = 32;
    public const string DefaultOptimizer = "adam";

    // Enough updates to converge on a small table (a few hundred rows give ~5 steps an epoch), and never
    // fewer than 10 passes over a large one.
    private const int MinimumSteps = 1000, MinimumEpochs = 10, MaximumAutoEpochs = 500;

    /// <summary>
    /// The epoch count when <c>--epochs</c> is not given: at least 10 epochs and at least 1,000 optimizer
    /// steps, at most 500 epochs. <paramref name="trainSamples"/> is the training set's size.
    /// </summary>
    public int ResolveEpochs(int trainSamples)
    {
        if (Epochs is int given) return given;
        int stepsPerEpoch = Math.Max(1, (trainSamples + BatchSize - 1) / BatchSize);
        Epochs = Math.Clamp((MinimumSteps + stepsPerEpoch - 1) / stepsPerEpoch, MinimumEpochs, MaximumAutoEpochs);
        return Epochs.Value;
    }

    public Dendrite.Data.Preprocessing.PreprocessorOptions Preprocessing => new(Standardize, Impute switch
    {
        "mean" => Dendrite.Data.Preprocessing.ImputeStrategy.Mean,
        "median" => Dendrite.Data.Preprocessing.ImputeStrategy.Median,
        _ => Dendrite.Data.Preprocessing.ImputeStrategy.None,
    });

    public float EffectiveLearningRate => LearningRate ?? Optimizers.DefaultLearningRate(Optimizer);

    /// <summary>
    /// Rejects missing or out-of-range options; <paramref name="epochsDone"/> is a resumed checkpoint's. A
    /// checkpoint that has done all the epochs asked for is accepted only when <paramref name="modelMissing"/>
    /// (its run was stopped while writing the model file, which resuming then writes).
    /// </summary>
    public void Validate(int? epochsDone, bool modelMissing = false)
    {
        if (Model is null) throw new CliException("train: --model is required (a spec file or a name such as lenet5)", usage: true);
        if (Data is null) throw new CliException("train: --data is required (an MNIST directory or a CSV file)", usage: true);
        if (Epochs is < 1) throw new CliException($"train: --epochs must be at least 1, got {Epochs}", usage: true);
        ValidateSettings();
        if (epochsDone is int done && Epochs is int total && done >= total && !(done == total && modelMissing))
            throw new CliException($"{Resume}: already trained for {done} epochs; pass --epochs above {done} to continue", usage: true);
    }

    /// <summary>The checks of the settings a checkpoint stores (see <see cref="Restore"/>).</summary>
    private void ValidateSettings()
    {
        if (BatchSize < 1) throw new CliException($"train: --batch-size must be at least 1, got {BatchSize}", usage: true);
        if (ValidationSplit is < 0 or > 0.9 || double.IsNaN(ValidationSplit))
            throw new CliException($"train: --val-split must lie in [0, 0.9], got {ValidationSplit}", usage: true);
        if (TestSplit is < 0 or > 0.9 || double.IsNaN(TestSplit))
            throw new CliException($"train: --test-split must lie in [0, 0.9], got {TestSplit}", usage: true);
        if (TestSplit > 0 && TestFile is not null)
            throw new CliException("train: give --test-split or --test, not both", usage: true);
        if (ScheduleStep is < 1) throw new CliException($"train: --lr-step must be at least 1, got {ScheduleStep}", usage: true);
        if (!(ScheduleGamma > 0 && ScheduleGamma < 1)) throw new CliException($"train: --lr-gamma must lie in (0, 1), got {ScheduleGamma}", usage: true);
        if (EarlyStopping is < 1) throw new CliException($"train: --early-stopping needs a patience of at least 1 epoch, got {EarlyStopping}", usage: true);
        if (LearningRate is { } given && !(given > 0 && float.IsFinite(given)))
            throw new CliException($"train: --lr must be positive, got {given}", usage: true);
        if (!(WeightDecay >= 0) || !float.IsFinite(WeightDecay))
            throw new CliException($"train: --weight-decay must not be negative, got {WeightDecay}", usage: true);
    }

    public Dictionary<string, string> ToStrings() => new()
    {
        ["model"] = Model ?? "",
        ["data"] = Data is null ? "" : Path.GetFullPath(Data),
        ["target"] = Target ?? "",
        ["batch_size"] = Inv(BatchSize),
        ["optimizer"] = Optimizer,
        ["lr"] = EffectiveLearningRate.ToString("R", CultureInfo.InvariantCulture),
        ["weight_decay"] = WeightDecay.ToString("R", CultureInfo.InvariantCulture),
        ["seed"] = Inv(Seed),
        ["val_split"] = ValidationSplit.ToString("R", CultureInfo.InvariantCulture),
        ["test_split"] = TestSplit.ToString("R", CultureInfo.InvariantCulture),
        ["test"] = TestFile is null ? "" : Path.GetFullPath(TestFile),
        ["standardize"] = Standardize ? "true" : "false",
        ["impute"] = Impute,
        ["lr_schedule"] = Schedule,
        ["lr_step"] = EffectiveScheduleStep.ToString(CultureInfo.InvariantCulture),
        ["lr_gamma"] = ScheduleGamma.ToString("R", CultureInfo.InvariantCulture),
        ["early_stopping"] = EarlyStopping is int p ? Inv(p) : "",
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
            // Checkpoints written before preprocessing existed trained on the raw values.
            TestSplit = stored.TryGetValue("test_split", out var ts) ? double.Parse(ts, CultureInfo.InvariantCulture) : 0;
            TestFile = stored.TryGetValue("test", out var tf) && tf.Length > 0 ? tf : null;
            Standardize = stored.TryGetValue("standardize", out var st) && st == "true";
            Impute = stored.TryGetValue("impute", out var im) ? im : "none";
            Schedule = stored.TryGetValue("lr_schedule", out var ls) ? ls : "none";
            ScheduleStep = stored.TryGetValue("lr_step", out var step) ? int.Parse(step, CultureInfo.InvariantCulture) : null;
            ScheduleGamma = stored.TryGetValue("lr_gamma", out var gamma) ? float.Parse(gamma, CultureInfo.InvariantCulture) : 0.1f;
            EarlyStopping = stored.TryGetValue("early_stopping", out var es) && es.Length > 0 ? int.Parse(es, CultureInfo.InvariantCulture) : null;
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"{checkpoint}: the checkpoint's training options are corrupt ({e.Message})", e);
        }
        if (!Optimizers.Names.Contains(Optimizer))
            throw new InvalidDataException($"{checkpoint}: the checkpoint names an unknown optimizer '{Optimizer}'");
        // Values the user did not type are evidence of a corrupt file, not bad flags (exit 1, not 2).
        try
        {
            ValidateSettings();
        }
        catch (CliException e)
        {
            throw new InvalidDataException($"{checkpoint}: corrupt checkpoint: its stored training option fails a check ({e.Message["train: ".Length..]})", e);
        }
    }

    /// <summary>The command that repeats this run from <paramref name="checkpoint"/>.</summary>
    public string ResumeCommand(string checkpoint) =>
        $"dendrite train --data {Quote(Data!)} --epochs {Epochs} --resume {Quote(checkpoint)}";

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    private static string Inv<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
