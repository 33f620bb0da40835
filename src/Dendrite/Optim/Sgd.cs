using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Stochastic gradient descent with optional momentum, dampening, weight decay and Nesterov momentum,
/// exactly as <c>torch.optim.SGD</c> (1.13): d = g + λp; with momentum μ, b = d on the first step and
/// b = μb + (1 − τ)d afterwards, then d = d + μb (Nesterov) or d = b; p ← p − lr·d.
/// Defaults: momentum 0, dampening τ = 0, weight decay λ = 0, Nesterov off (it needs μ &gt; 0 and τ = 0).
/// State: <c>momentum_buffer</c> when μ &gt; 0.
/// </summary>
public sealed class Sgd : Optimizer
{
    public Sgd(IEnumerable<Parameter> parameters, float lr, float momentum = 0f, float dampening = 0f, float weightDecay = 0f,
        bool nesterov = false) : base(parameters, lr)
    {
        RequireNonNegative(momentum, "momentum");
        RequireNonNegative(dampening, "dampening");
        RequireNonNegative(weightDecay, "weight decay");
        if (nesterov && (momentum <= 0 || dampening != 0))
            throw new ArgumentException($"Sgd: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum {Format(momentum)} and dampening {Format(dampening)}");
        Momentum = momentum;
        Dampening = dampening;
        WeightDecay = weightDecay;
        Nesterov = nesterov;
        if (momentum != 0) DeclareState("momentum_buffer");
    }

    /// <summary>Momentum factor μ.</summary>
    public float Momentum { get; }

    /// <summary>Dampening τ of the momentum.</summary>
    public float Dampening { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Whether Nesterov momentum is used.</summary>
    public bool Nesterov { get; }

    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!BeginUpdate(i, out var g, out bool first)) continue;
            OptimizerKernels.Sgd(Values(i), g, Momentum != 0 ? State(i, 0) : default, first,
                LearningRate, Momentum, Dampening, WeightDecay, Nesterov);
        }
    }
}
