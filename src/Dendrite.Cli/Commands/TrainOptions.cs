using System.Globalization;
using Dendrite.Optim;

namespace Dendrite.Cli.Commands;

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

    public float EffectiveLearningRate => LearningRate ?? Optimizers.DefaultLearningRate(Optimizer);

    /// <summary>Rejects missing or out-of-range options; <paramref name="epochsDone"/> is a resumed checkpoint's.</summary>
    public void Validate(int? epochsDone)
    {
        if (Model is null) throw new CliException("train: --model is required (a spec file or a name such as lenet5)", usage: true);
        if (Data is null) throw new CliException("train: --data is required (an MNIST directory or a CSV file)", usage: true);
        if (Epochs < 1) throw new CliException($"train: --epochs must be at least 1, got {Epochs}", usage: true);
        if (BatchSize < 1) throw new CliException($"train: --batch-size must be at least 1, got {BatchSize}", usage: true);
        if (ValidationSplit is < 0 or > 0.9 || double.IsNaN(ValidationSplit))
            throw new CliException($"train: --val-split must lie in [0, 0.9], got {ValidationSplit}", usage: true);
        if (LearningRate is { } given && !(given > 0 && float.IsFinite(given)))
            throw new CliException($"train: --lr must be positive, got {given}", usage: true);
        if (!(WeightDecay >= 0) || !float.IsFinite(WeightDecay))
            throw new CliException($"train: --weight-decay must not be negative, got {WeightDecay}", usage: true);
        if (epochsDone is int done && done >= Epochs)
            throw new CliException($"{Resume}: already trained for {done} epochs; pass --epochs above {done} to continue", usage: true);
    }

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
        if (!Optimizers.Names.Contains(Optimizer))
            throw new InvalidDataException($"{checkpoint}: the checkpoint names an unknown optimizer '{Optimizer}'");
    }

    /// <summary>The command that repeats this run from <paramref name="checkpoint"/>.</summary>
    public string ResumeCommand(string checkpoint) =>
        $"dendrite train --data {Quote(Data!)} --epochs {Epochs} --resume {Quote(checkpoint)}";

    private static string Quote(string s) => s.Contains(' ', StringComparison.Ordinal) ? $"\"{s}\"" : s;

    private static string Inv<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
