using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov momentum,
/// exactly as <c>torch.optim.SGD</c> (1.13): d = g + λp; with momentum μ, b = d on the first step and
/// b = μb + (1 − τ)d afterwards, then d = d + μb (Nesterov) or d = b; p ← p − lr·d.
/// Defaults: momentum 0, dampening τ = 0, weight decay λ = 0, Nesterov off (it needs μ &gt; 0 and τ = 0).
/// Each <see cref="ParamGroup"/> may set its own lr, momentum, dampening, weight decay and Nesterov.
/// State: <c>momentum_buffer</c> for the parameters of groups with μ &gt; 0.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>SGD over <paramref name="parameters"/>, one group with these settings.</summary>
    public Sgd(IEnumerable<Parameter> parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f,
        bool nesterov = false) : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, momentum,
        dampening, weightDecay, nesterov)
    {
    }

    /// <summary>SGD over parameter groups; the settings here are those of every group that does not set its own.</summary>
    public Sgd(IEnumerable<ParamGroup> paramGroups, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f,
        bool nesterov = false) : base(paramGroups, lr)
    {
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        SetUpGroups(group =>
        {
            float mu = NonNegative(group, Setting.Momentum, momentum, "momentum");
            float tau = NonNegative(group, Setting.Dampening, dampening, "dampening");
            NonNegative(group, Setting.WeightDecay, weightDecay, "weight decay");
            if (group.Resolve(Setting.Nesterov, nesterov) && (mu <= 0 || tau != 0))
                throw new ArgumentException(
                    $"Sgd: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum {Format(mu)} and dampening {Format(tau)}{InGroup(group)}");
            return mu != 0 ? ["momentum_buffer"] : [];
        });
    }

    /// <summary>Momentum factor μ (of the groups that do not set their own).</summary>
    public float Momentum { get; }

    /// <summary>Dampening τ of the momentum.</summary>
    public float Dampening { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    public override void Step()
    {
        foreach (var group in Groups)
        {
            float lr = group.LearningRate, momentum = group[Setting.Momentum], dampening = group[Setting.Dampening];
            float weightDecay = group[Setting.WeightDecay];
            bool nesterov = group[Setting.Nesterov] != 0;
            for (int i = group.First; i < group.End; i++)
            {
                if (!BeginUpdate(i, out var g, out bool first)) continue;
                OptimizerKernels.Sgd(Values(i), g, momentum != 0 ? State(i, 0) : default, first, lr, momentum, dampening, weightDecay, nesterov);
            }
        }
    }
}
