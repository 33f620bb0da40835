using Dendrite.NN;

namespace Dendrite.Optim;

/// <summary>
/// Base class of the optimizers, like <c>torch.optim.Optimizer</c>: it holds the parameters it updates
/// and any per-parameter state; <see cref="Step"/> applies one update from the current gradients and
/// <see cref="ZeroGrad"/> clears them. Hyper-parameters are validated in constructors.
/// </summary>
public abstract class Optimizer
{
    /// <summary>Creates an optimizer over <paramref name="parameters"/> (at least one, no duplicates).</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToList();
        if (Parameters.Count == 0)
            throw new ArgumentException($"{GetType().Name}: the optimizer got an empty parameter list");
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentException($"{GetType().Name}: learning rate must be positive, got {learningRate}");
        LearningRate = learningRate;
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The current learning rate (schedulers change it between epochs).</summary>
    public float LearningRate { get; set; }

    /// <summary>Updates every parameter that has a gradient. Runs without recording a graph.</summary>
    public abstract void Step();

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters) p.ZeroGrad();
    }
}
