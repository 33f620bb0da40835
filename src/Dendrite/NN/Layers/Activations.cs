using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

// Activation modules. Class names are PyTorch's exactly (ReLU, LeakyReLU), because that is what users
// search for and what printed models show; the function and Tensor forms use .NET casing (Relu).

/// <summary>Returns its input unchanged (a placeholder, like <c>torch.nn.Identity</c>). Any shape.</summary>
public sealed class Identity : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}

/// <summary>
/// The Heaviside step of the perceptron: 1 where x &gt; 0, 0 where x ≤ 0 (H(0) = 0, so a point exactly on
/// the threshold is classed negative). Any shape. It has no useful gradient — back-propagating through it
/// throws an error that suggests <see cref="Sigmoid"/> — so use it for perceptron-style prediction only.
/// </summary>
public sealed class Step : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Step(input);
}

/// <summary>σ(x) = 1 / (1 + e^−x), element by element, computed without overflow. Any shape.</summary>
public sealed class Sigmoid : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Sigmoid(input);
}

/// <summary>tanh x, element by element. Any shape.</summary>
public sealed class Tanh : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Tanh(input);
}

/// <summary>ReLU(x) = max(x, 0), element by element; its gradient at 0 is 0, as in PyTorch. Any shape.</summary>
public sealed class ReLU : Module
{
    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Relu(input);
}

/// <summary>
/// LeakyReLU(x) = x for x &gt; 0, negativeSlope·x otherwise (default slope 0.01, as PyTorch); the gradient
/// at 0 is the slope. Any shape.
/// </summary>
public sealed class LeakyReLU : Module
{
    /// <summary>A LeakyReLU with the given slope for negative inputs.</summary>
    public LeakyReLU(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope))
            throw new ArgumentException($"LeakyReLU: the negative slope must be finite, got {negativeSlope}");
        NegativeSlope = negativeSlope;
    }

    /// <summary>The slope applied to negative inputs.</summary>
    public float NegativeSlope { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LeakyRelu(input, NegativeSlope);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"negative_slope={Repr.Number(NegativeSlope)}";
}

/// <summary>
/// softmax(x)ᵢ = exp(xᵢ) / Σⱼ exp(xⱼ) along <see cref="Axis"/> (PyTorch's <c>dim</c>), stable for large
/// |x|. Output has the input's shape; each slice along the axis sums to 1.
/// </summary>
public sealed class Softmax(int axis) : Module
{
    /// <summary>The axis normalised over (negative counts from the end).</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Softmax(input, Axis);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Repr.Number(Axis)}";
}

/// <summary>
/// log softmax(x)ᵢ = xᵢ − log Σⱼ exp(xⱼ) along <see cref="Axis"/> (PyTorch's <c>dim</c>), computed without
/// taking the log of an underflowed 0. Output has the input's shape.
/// </summary>
public sealed class LogSoftmax(int axis) : Module
{
    /// <summary>The axis normalised over (negative counts from the end).</summary>
    public int Axis { get; } = axis;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.LogSoftmax(input, Axis);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"dim={Repr.Number(Axis)}";
}
