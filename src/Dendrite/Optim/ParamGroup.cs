using System.Globalization;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Parameters that share hyper-parameters of their own, like an entry of PyTorch's <c>param_groups</c>: give
/// an optimizer several groups to train parts of a model differently, e.g. a pretrained body slowly and a new
/// head fast, with weight decay on the head only:
/// <code>
/// var opt = new Sgd([new ParamGroup(body.Parameters(), lr: 0.01f),
///                    new ParamGroup(head.Parameters(), weightDecay: 1e-4f)], lr: 0.1f, momentum: 0.9f);
/// </code>
/// A setting left null takes the optimizer's constructor argument (its default for every group). Only the
/// settings the optimizer has may be given (an <see cref="Sgd"/> group with <c>beta1</c> is an error).
/// Adagrad's <c>initialAccumulatorValue</c> is not among them: PyTorch fills every sum from the constructor's.
/// </summary>
/// <remarks>
/// The optimizer keeps its own copy of each group, with every setting it uses filled in, in
/// <see cref="Optimizer.ParamGroups"/>: read the effective values there, and change a group's learning rate
/// there (as the schedulers do). A parameter may belong to one group only.
/// </remarks>
public sealed class ParamGroup
{
    private readonly float?[] settings = new float?[SettingNames.Length];
    private float? learningRate;

    /// <summary>A group of <paramref name="parameters"/>, with any setting given here overriding the optimizer's.</summary>
    public ParamGroup(IEnumerable<Parameter> parameters, float? lr = null, float? weightDecay = null, float? momentum = null,
        float? dampening = null, bool? nesterov = null, float? beta1 = null, float? beta2 = null, float? eps = null, bool? amsgrad = null,
        float? alpha = null, bool? centered = null, float? lrDecay = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var list = parameters.ToList();
        if (list.Any(p => p is null)) throw new ArgumentNullException(nameof(parameters), "ParamGroup: a parameter is null");
        Parameters = list;
        learningRate = lr;
        settings[(int)Setting.WeightDecay] = weightDecay;
        settings[(int)Setting.Momentum] = momentum;
        settings[(int)Setting.Dampening] = dampening;
        settings[(int)Setting.Nesterov] = Number(nesterov);
        settings[(int)Setting.Beta1] = beta1;
        settings[(int)Setting.Beta2] = beta2;
        settings[(int)Setting.Eps] = eps;
        settings[(int)Setting.Amsgrad] = Number(amsgrad);
        settings[(int)Setting.Alpha] = alpha;
        settings[(int)Setting.Centered] = Number(centered);
        settings[(int)Setting.LrDecay] = lrDecay;
    }

    // The optimizer's copy of a group given to its constructor (a parameter listed twice is kept once).
    private ParamGroup(ParamGroup given)
    {
        Parameters = given.Parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToList();
        learningRate = given.learningRate;
        given.settings.CopyTo(settings, 0);
    }

    /// <summary>The parameters of this group.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The group's learning rate (PyTorch's <c>lr</c>): set it on the optimizer's copy to change it between
    /// steps. A group made without one takes the optimizer's when it joins it; reading it before throws.
    /// </summary>
    public float LearningRate
    {
        get => learningRate ?? throw new InvalidOperationException(
            "ParamGroup: this group has no learning rate of its own; read the effective one from the optimizer's ParamGroups");
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
                throw new ArgumentException($"ParamGroup: a learning rate must be non-negative and finite, got {Format(value)}");
            learningRate = value;
        }
    }

    /// <summary>Weight decay λ (every optimizer has it).</summary>
    public float? WeightDecay => settings[(int)Setting.WeightDecay];

    /// <summary>Momentum μ (<see cref="Sgd"/>, <see cref="RmsProp"/>).</summary>
    public float? Momentum => settings[(int)Setting.Momentum];

    /// <summary>Dampening of the momentum (<see cref="Sgd"/>).</summary>
    public float? Dampening => settings[(int)Setting.Dampening];

    /// <summary>Nesterov momentum (<see cref="Sgd"/>).</summary>
    public bool? Nesterov => Flag(Setting.Nesterov);

    /// <summary>β₁ (<see cref="Adam"/>, <see cref="AdamW"/>).</summary>
    public float? Beta1 => settings[(int)Setting.Beta1];

    /// <summary>β₂ (<see cref="Adam"/>, <see cref="AdamW"/>).</summary>
    public float? Beta2 => settings[(int)Setting.Beta2];

    /// <summary>ε added to the denominator (<see cref="Adam"/>, <see cref="AdamW"/>, <see cref="RmsProp"/>, <see cref="Adagrad"/>).</summary>
    public float? Eps => settings[(int)Setting.Eps];

    /// <summary>The AMSGrad variant (<see cref="Adam"/>, <see cref="AdamW"/>).</summary>
    public bool? Amsgrad => Flag(Setting.Amsgrad);

    /// <summary>Smoothing constant α (<see cref="RmsProp"/>).</summary>
    public float? Alpha => settings[(int)Setting.Alpha];

    /// <summary>Centered RMSprop (<see cref="RmsProp"/>).</summary>
    public bool? Centered => Flag(Setting.Centered);

    /// <summary>Learning-rate decay per step (<see cref="Adagrad"/>).</summary>
    public float? LrDecay => settings[(int)Setting.LrDecay];

    /// <summary>Where the group's parameters start in <see cref="Optimizer.Parameters"/>, and one past where they end.</summary>
    internal int First { get; private set; }

    internal int End { get; private set; }

    /// <summary>The names of the state buffers each of this group's parameters has (PyTorch's names).</summary>
    internal string[] StateNames { get; set; } = [];

    /// <summary>The optimizer's copy of <paramref name="given"/>, for its parameters at <paramref name="first"/>.. in its list.</summary>
    internal static ParamGroup Join(ParamGroup given, int first, float defaultLearningRate)
    {
        var own = new ParamGroup(given);
        (own.First, own.End) = (first, first + own.Parameters.Count);
        own.learningRate ??= defaultLearningRate;
        return own;
    }

    /// <summary>The group's value of a setting, taking <paramref name="fallback"/> (the optimizer's) when it has none.</summary>
    internal float Resolve(Setting setting, float fallback)
    {
        used |= 1 << (int)setting;
        return settings[(int)setting] ??= fallback;
    }

    internal bool Resolve(Setting setting, bool fallback) => Resolve(setting, fallback ? 1f : 0f) != 0;

    /// <summary>A setting the group gives that its optimizer never resolved (so has no use for), or null.</summary>
    internal string? UnusedSetting()
    {
        for (int s = 0; s < settings.Length; s++)
            if (settings[s] is not null && (used & (1 << s)) == 0) return SettingNames[s];
        return null;
    }

    /// <summary>A resolved setting (the optimizers' update loops read these).</summary>
    internal float this[Setting setting] => settings[(int)setting].GetValueOrDefault();

    private int used;

    private bool? Flag(Setting setting) => settings[(int)setting] is { } v ? v != 0 : null;

    private static float? Number(bool? flag) => flag is { } f ? (f ? 1f : 0f) : null;

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    // PyTorch's names, for messages; in the order of Setting.
    private static readonly string[] SettingNames =
        ["weight_decay", "momentum", "dampening", "nesterov", "beta1", "beta2", "eps", "amsgrad", "alpha", "centered", "lr_decay"];
}

/// <summary>The hyper-parameters a <see cref="ParamGroup"/> can set, besides the learning rate.</summary>
internal enum Setting
{
    WeightDecay,
    Momentum,
    Dampening,
    Nesterov,
    Beta1,
    Beta2,
    Eps,
    Amsgrad,
    Alpha,
    Centered,
    LrDecay,
}
