using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Adam, exactly as <c>torch.optim.Adam</c> (1.13): at step t, d = g + λp (L2 weight decay, coupled to the
/// gradient); m ← β₁m + (1−β₁)d; v ← β₂v + (1−β₂)d²; with AMSGrad v̂ ← max(v̂, v) is used for v;
/// p ← p − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε).
/// Defaults: lr 1e-3, β₁ 0.9, β₂ 0.999, ε 1e-8, λ 0, AMSGrad off. See <see cref="AdamW"/> for decoupled decay.
/// Each <see cref="ParamGroup"/> may set its own lr, β₁, β₂, ε, weight decay and AMSGrad.
/// State: <c>exp_avg</c>, <c>exp_avg_sq</c>, and <c>max_exp_avg_sq</c> in groups with AMSGrad.
/// </summary>
public class Adam : Optimizer
{
    /// <summary>Adam over <paramref name="parameters"/>, one group with these settings.</summary>
    public Adam(IEnumerable<Parameter> parameters, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, beta1, beta2, eps, weightDecay, amsgrad)
    {
    }

    /// <summary>Adam over parameter groups; the settings here are those of every group that does not set its own.</summary>
    public Adam(IEnumerable<ParamGroup> paramGroups, float lr = 1e-3f, float beta1 = 0.9f, float beta2 = 0.999f, float eps = 1e-8f,
        float weightDecay = 0f, bool amsgrad = false) : base(paramGroups, lr)
    {
        Beta1 = beta1;
        Beta2 = beta2;
        Eps = eps;
        WeightDecay = weightDecay;
        Amsgrad = amsgrad;
        SetUpGroups(group =>
        {
            UnitInterval(group, Setting.Beta1, beta1, "beta1");
            UnitInterval(group, Setting.Beta2, beta2, "beta2");
            NonNegative(group, Setting.Eps, eps, "epsilon");
            NonNegative(group, Setting.WeightDecay, weightDecay, "weight decay");
            return group.Resolve(Setting.Amsgrad, amsgrad) ? ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"] : ["exp_avg", "exp_avg_sq"];
        });
    }

    /// <summary>Decay rate β₁ of the gradient average (of the groups that do not set their own).</summary>
    public float Beta1 { get; }

    /// <summary>Decay rate β₂ of the squared-gradient average.</summary>
    public float Beta2 { get; }

    /// <summary>ε added to the denominator.</summary>
    public float Eps { get; }

    /// <summary>Weight decay λ (added to the gradient in Adam, applied to the weights directly in AdamW).</summary>
    public float WeightDecay { get; }

    /// <summary>Whether the AMSGrad variant (running maximum of v) is used.</summary>
    public bool Amsgrad { get; }

    /// <summary>True for AdamW: weight decay multiplies the weights instead of entering the gradient.</summary>
    private protected virtual bool Decoupled => false;

    public override void Step()
    {
        foreach (var group in Groups)
        {
            float lr = group.LearningRate, beta1 = group[Setting.Beta1], beta2 = group[Setting.Beta2], eps = group[Setting.Eps];
            float weightDecay = group[Setting.WeightDecay];
            bool amsgrad = group[Setting.Amsgrad] != 0;
            for (int i = group.First; i < group.End; i++)
            {
                if (!BeginUpdate(i, out var g, out _)) continue;
                long t = StepCount(i);
                // Bias corrections in double, as PyTorch computes them with Python floats.
                double biasCorrection1 = 1 - Math.Pow(beta1, t);
                double biasCorrection2 = 1 - Math.Pow(beta2, t);
                var values = Values(i);
                if (Decoupled && weightDecay != 0) OptimizerKernels.Scale(values, 1f - lr * weightDecay);
                OptimizerKernels.Adam(values, g, State(i, 0), State(i, 1), amsgrad ? State(i, 2) : default,
                    (float)(lr / biasCorrection1), (float)Math.Sqrt(biasCorrection2), beta1, beta2, eps, Decoupled ? 0f : weightDecay);
            }
        }
    }
}
