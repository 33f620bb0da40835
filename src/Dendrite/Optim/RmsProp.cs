using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// RMSprop, exactly as <c>torch.optim.RMSprop</c> (1.13): d = g + λp; v ← αv + (1−α)d²; centered: a ← αa + (1−α)d
/// and ṽ = v − a², else ṽ = v; with momentum μ: b ← μb + d/(√ṽ + ε), p ← p − lr·b; else p ← p − lr·d/(√ṽ + ε).
/// Defaults: lr 0.01, α 0.99, ε 1e-8, λ 0, μ 0, not centered.
/// State: <c>square_avg</c>, then <c>momentum_buffer</c> (μ &gt; 0) and <c>grad_avg</c> (centered).
/// </summary>
public sealed class RmsProp : Optimizer
{
    private readonly int momentumSlot = -1, gradAvgSlot = -1;

    public RmsProp(IEnumerable<Parameter> parameters, float lr = 0.01f, float alpha = 0.99f, float eps = 1e-8f, float weightDecay = 0f,
        float momentum = 0f, bool centered = false) : base(parameters, lr)
    {
        RequireUnitInterval(alpha, "alpha", includeOne: true);
        RequireNonNegative(eps, "epsilon");
        RequireNonNegative(weightDecay, "weight decay");
        RequireNonNegative(momentum, "momentum");
        Alpha = alpha;
        Eps = eps;
        WeightDecay = weightDecay;
        Momentum = momentum;
        Centered = centered;
        var names = new List<string> { "square_avg" };
        if (momentum > 0) { momentumSlot = names.Count; names.Add("momentum_buffer"); }
        if (centered) { gradAvgSlot = names.Count; names.Add("grad_avg"); }
        DeclareState([.. names]);
    }

    /// <summary>Smoothing constant α of the squared-gradient average.</summary>
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
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!BeginUpdate(i, out var g, out _)) continue;
            OptimizerKernels.RmsProp(Values(i), g, State(i, 0),
                gradAvgSlot >= 0 ? State(i, gradAvgSlot) : default, momentumSlot >= 0 ? State(i, momentumSlot) : default,
                LearningRate, Alpha, Eps, WeightDecay, Momentum);
        }
    }
}
