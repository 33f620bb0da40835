using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>How a loss combines its per-element values: PyTorch's <c>reduction</c> argument.</summary>
public enum Reduction
{
    /// <summary>The average over elements (the default).</summary>
    Mean,
    /// <summary>The sum over elements.</summary>
    Sum,
    /// <summary>No reduction: one loss per element (or per sample).</summary>
    None,
}

/// <summary>
/// Base class of the loss modules: <see cref="Forward(Tensor, Tensor)"/> compares a prediction with a
/// target and returns a scalar (or per-element values with <see cref="Reduction.None"/>).
/// </summary>
public abstract class Loss(Reduction reduction = Reduction.Mean) : Module
{
    /// <summary>How per-element values are combined.</summary>
    public Reduction Reduction { get; } = reduction;

    /// <summary>The loss of <paramref name="input"/> against <paramref name="target"/>.</summary>
    public abstract Tensor Forward(Tensor input, Tensor target);

    /// <summary>Same as <see cref="Forward(Tensor, Tensor)"/>.</summary>
    public Tensor Call(Tensor input, Tensor target) => Forward(input, target);

    /// <summary>A loss needs a target: the one-argument form is not available.</summary>
    public override Tensor Forward(Tensor input) =>
        throw new InvalidOperationException($"{GetType().Name}: a loss needs a target; call Forward(input, target)");

    /// <summary>Applies this loss's <see cref="Reduction"/> to per-element losses (see <see cref="Functional.Reduce(Tensor, Reduction)"/>).</summary>
    protected Tensor Reduce(Tensor perElement) => Functional.Reduce(perElement, Reduction);

    protected override string ExtraRepr() => Reduction == Reduction.Mean ? "" : $"reduction={Reduction}";
}
