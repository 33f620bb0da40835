using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Adagrad, exactly as <c>torch.optim.Adagrad</c> (1.13): at step t, clr = lr/(1 + (t−1)·lrDecay);
/// d = g + λp; s ← s + d²; p ← p − clr·d/(√s + ε). The accumulator s starts at
/// <c>initialAccumulatorValue</c>. Defaults: lr 0.01, lrDecay 0, λ 0, initial accumulator 0, ε 1e-10.
/// Each <see cref="ParamGroup"/> may set its own lr, lr decay, weight decay and ε (the initial accumulator is
/// the constructor's for every group, as in PyTorch).
/// State: <c>sum</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    /// <summary>Adagrad over <paramref name="parameters"/>, one group with these settings.</summary>
    public Adagrad(IEnumerable<Parameter> parameters, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f,
        float initialAccumulatorValue = 0f, float eps = 1e-10f)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], lr, lrDecay, weightDecay,
            initialAccumulatorValue, eps)
    {
    }

    /// <summary>Adagrad over parameter groups; the settings here are those of every group that does not set its own.</summary>
    public Adagrad(IEnumerable<ParamGroup> paramGroups, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f,
        float initialAccumulatorValue = 0f, float eps = 1e-10f) : base(paramGroups, lr)
    {
        RequireNonNegative(initialAccumulatorValue, "initial accumulator value");
        LrDecay = lrDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Eps = eps;
        SetUpGroups(group =>
        {
            NonNegative(group, Setting.LrDecay, lrDecay, "learning rate decay");
            NonNegative(group, Setting.WeightDecay, weightDecay, "weight decay");
            NonNegative(group, Setting.Eps, eps, "epsilon");
            return ["sum"];
        });
    }

    /// <summary>Learning-rate decay per step (of the groups that do not set their own).</summary>
    public float LrDecay { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Starting value of the squared-gradient accumulator.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε added to the denominator.</summary>
    public float Eps { get; }

    public override void Step()
    {
        foreach (var group in Groups)
        {
            float lr = group.LearningRate, lrDecay = group[Setting.LrDecay], weightDecay = group[Setting.WeightDecay];
            float eps = group[Setting.Eps];
            for (int i = group.First; i < group.End; i++)
            {
                if (!BeginUpdate(i, out var g, out bool first)) continue;
                var sum = State(i, 0);
                if (first) sum.Fill(InitialAccumulatorValue);
                float clr = (float)(lr / (1 + (StepCount(i) - 1) * (double)lrDecay));
                OptimizerKernels.Adagrad(Values(i), g, sum, clr, weightDecay, eps);
            }
        }
    }
}
