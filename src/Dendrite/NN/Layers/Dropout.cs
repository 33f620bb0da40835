using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Inverted dropout, like <c>torch.nn.Dropout</c>: in training mode each element is zeroed with
/// probability <see cref="P"/> (default 0.5) and the others are scaled by 1/(1−p), so nothing needs
/// rescaling at evaluation; after <see cref="Module.Eval"/> it returns its input unchanged. Any shape.
/// p must lie in [0, 1). Masks come from the generator given (default <see cref="Generator.Default"/>).
/// </summary>
public sealed class Dropout : Module
{
    private readonly Generator? generator;

    /// <summary>A dropout layer that zeroes each element with probability <paramref name="p"/> while training.</summary>
    public Dropout(float p = 0.5f, Generator? generator = null)
    {
        Functional.CheckDropoutProbability(p);
        P = p;
        this.generator = generator;
    }

    /// <summary>The probability of zeroing an element.</summary>
    public float P { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Dropout(input, P, Training, generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"p={Repr.Number(P)}";
}
