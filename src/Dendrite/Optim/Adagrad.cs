using Dendrite.Kernels;
using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Adagrad, exactly as <c>torch.optim.Adagrad</c> (1.13): at step t, clr = lr/(1 + (t−1)·lrDecay);
/// d = g + λp; s ← s + d²; p ← p − clr·d/(√s + ε). The accumulator s starts at
/// <c>initialAccumulatorValue</c>. Defaults: lr 0.01, lrDecay 0, λ 0, initial accumulator 0, ε 1e-10.
/// State: <c>sum</c>.
/// </summary>
public sealed class Adagrad : Optimizer
{
    public Adagrad(IEnumerable<Parameter> parameters, float lr = 0.01f, float lrDecay = 0f, float weightDecay = 0f,
        float initialAccumulatorValue = 0f, float eps = 1e-10f) : base(parameters, lr)
    {
        RequireNonNegative(lrDecay, "learning rate decay");
        RequireNonNegative(weightDecay, "weight decay");
        RequireNonNegative(initialAccumulatorValue, "initial accumulator value");
        RequireNonNegative(eps, "epsilon");
        LrDecay = lrDecay;
        WeightDecay = weightDecay;
        InitialAccumulatorValue = initialAccumulatorValue;
        Eps = eps;
        DeclareState("sum");
    }

    /// <summary>Learning-rate decay per step.</summary>
    public float LrDecay { get; }

    /// <summary>L2 weight decay λ, added to the gradient.</summary>
    public float WeightDecay { get; }

    /// <summary>Starting value of the squared-gradient accumulator.</summary>
    public float InitialAccumulatorValue { get; }

    /// <summary>ε added to the denominator.</summary>
    public float Eps { get; }

    public override void Step()
    {
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (!BeginUpdate(i, out var g, out bool first)) continue;
            var sum = State(i, 0);
            if (first) sum.Fill(InitialAccumulatorValue);
            float clr = (float)(LearningRate / (1 + (StepCount(i) - 1) * (double)LrDecay));
            OptimizerKernels.Adagrad(Values(i), g, sum, clr, WeightDecay, Eps);
        }
    }
}
