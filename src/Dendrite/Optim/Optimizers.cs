using System.Globalization;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// The optimizers a tool can pick by name — <c>dendrite train --optimizer</c>, the playground, distributed
/// training — each with its default learning rate, in one table. Adam's, RMSprop's and Adagrad's defaults
/// are PyTorch's; PyTorch's SGD has none, and 0.05 is one that trains the zoo's MLPs and LeNets from
/// scratch in a few epochs.
/// </summary>
public static class Optimizers
{
    private sealed record Entry(string Name, float LearningRate, string? Note, Func<IEnumerable<Parameter>, float, float, Optimizer> Create);

    private static readonly Entry[] Table =
    [
        new("sgd", 0.05f, null, (p, lr, wd) => new Sgd(p, lr, weightDecay: wd)),
        new("momentum", 0.05f, "SGD with momentum 0.9", (p, lr, wd) => new Sgd(p, lr, momentum: 0.9f, weightDecay: wd)),
        new("adam", 1e-3f, null, (p, lr, wd) => new Adam(p, lr, weightDecay: wd)),
        new("adamw", 1e-3f, null, (p, lr, wd) => new AdamW(p, lr, weightDecay: wd)),
        new("rmsprop", 0.01f, null, (p, lr, wd) => new RmsProp(p, lr, weightDecay: wd)),
        new("adagrad", 0.01f, null, (p, lr, wd) => new Adagrad(p, lr, weightDecay: wd)),
    ];

    /// <summary>The names <see cref="Create"/> accepts, in the order tools list them.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Table, e => e.Name);

    /// <summary>The learning rate <see cref="Create"/> uses for <paramref name="name"/> when none is given.</summary>
    public static float DefaultLearningRate(string name) => Find(name).LearningRate;

    /// <summary>What <paramref name="name"/> means when the name alone does not say (<c>momentum</c>: SGD with momentum 0.9), or null.</summary>
    public static string? Describe(string name) => Find(name).Note;

    /// <summary>
    /// The optimizer called <paramref name="name"/> over <paramref name="parameters"/>, with
    /// <paramref name="learningRate"/> (default <see cref="DefaultLearningRate"/>) and L2
    /// <paramref name="weightDecay"/> (decoupled for <c>adamw</c>; 0 unless given, for AdamW too, whose
    /// constructor defaults to PyTorch's 0.01); every other hyper-parameter at its PyTorch default. Unknown names raise <see cref="ArgumentException"/> listing the known ones.
    /// </summary>
    public static Optimizer Create(string name, IEnumerable<Parameter> parameters, float? learningRate = null, float weightDecay = 0f)
    {
        var entry = Find(name);
        return entry.Create(parameters, learningRate ?? entry.LearningRate, weightDecay);
    }

    /// <summary>
    /// The default learning rates as one phrase for help texts: <c>0.05 for sgd/momentum, 0.001 for
    /// adam/adamw, 0.01 for rmsprop/adagrad</c>.
    /// </summary>
    public static string DefaultLearningRates() => string.Join(", ", Table.GroupBy(e => e.LearningRate)
        .Select(g => $"{g.Key.ToString(CultureInfo.InvariantCulture)} for {string.Join("/", g.Select(e => e.Name))}"));

    private static Entry Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Array.Find(Table, e => e.Name == name)
            ?? throw new ArgumentException($"Optimizers: unknown optimizer '{name}' (use {string.Join(", ", Names)})", nameof(name));
    }
}
