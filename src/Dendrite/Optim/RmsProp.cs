using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// RMSprop, exactly as <c>torch.optim.RMSprop</c> (1.13): d = g + λp; v ← αv + (1−α)d²; centered: a ← αa + (1−α)d
/// and ṽ = v − a², else ṽ = v; with momentum μ: b ← μb + d/(√ṽ + ε), p ← p − lr·b; else p ← p − lr·d/(√ṽ + ε).
/// Defaults: lr 0.01, α 0.99, ε 1e-8, λ 0, μ 0, not centered. Each <see cref="ParamGroup"/> may set its own
/// lr, α, ε, weight decay, momentum and centering.
/// State: <c>square_avg</c>, then <c>momentum_buffer</c> (μ &gt; 0) and <c>grad_avg</c> (centered).
/// </summary>
public sealed class RmsProp : Optimizer
{
    /// <summary>RMSprop over <paramref name="parameters"/>, one group with these settings.</summary>
    public RmsProp(IEnumerable<Parameter> parameters, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, alpha, eps, weightDecay, momentum,
            centered)
    {
    }

    /// <summary>RMSprop over parameter groups; the settings here are those of every group that does not set its own.</summary>
    public RmsProp(IEnumerable<ParamGroup> paramGroups, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false) : base(paramGroups, lr)
    {
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        SetUpGroups(group =>
        {
            UnitInterval(group, Setting.Alpha, alpha, "alpha", includeOne: true);
            NonNegative(group, Setting.Eps, eps, "epsilon");
            NonNegative(group, Setting.WeightDecay, weightDecay, "weight decay");
            bool withMomentum = NonNegative(group, Setting.Momentum, momentum, "momentum") > 0;
            bool isCentered = group.Resolve(Setting.Centered, centered);
            return (withMomentum, isCentered) switch
            {
                (false, false) => ["square_avg"],
                (true, false) => ["square_avg", "momentum_buffer"],
                (false, true) => ["square_avg", "grad_avg"],
                (true, true) => ["square_avg", "momentum_buffer", "grad_avg"],
            };
        });
    }

    /// <summary>Smoothing constant α of the squared-gradient average (of the groups that do not set their own).</summary>
    public float Alpha { get; }

    /// <summary>ε added to the denominator.</summary>
    public float Eps { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Whether the squared average is centered by the mean gradient (an estimate of the variance).</summary>
    public bool Centered { get; }

    public override void Step()
    {
        foreach (var group in Groups)
        {
            float lr = group.LearningRate, alpha = group[Setting.Alpha], eps = group[Setting.Eps];
            float weightDecay = group[Setting.WeightDecay], momentum = group[Setting.Momentum];
            // State slots in the order the constructor named them.
            int momentumSlot = momentum > 0 ? 1 : -1;
            int gradAvgSlot = group[Setting.Centered] != 0 ? (momentum > 0 ? 2 : 1) : -1;
            for (int i = group.First; i < group.End; i++)
            {
                if (!BeginUpdate(i, out var g, out _)) continue;
                OptimizerKernels.RmsProp(Values(i), g, State(i, 0),
                    gradAvgSlot >= 0 ? State(i, gradAvgSlot) : default, momentumSlot >= 0 ? State(i, momentumSlot) : default,
                    lr, alpha, eps, weightDecay, momentum);
            }
        }
    }
}
