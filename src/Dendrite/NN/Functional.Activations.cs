using Dendrite.Tensors;

namespace Dendrite.NN;

// Activations: the modules in Layers/Activations.cs call these.
public static partial class Functional
{
    /// <summary>max(x, 0) element by element; gradient 0 at x = 0.</summary>
    public static Tensor Relu(Tensor input) => NotNull(input).Relu();

    /// <summary>x for x &gt; 0, negativeSlope·x otherwise (default slope 0.01, as PyTorch).</summary>
    public static Tensor LeakyRelu(Tensor input, float negativeSlope = 0.01f) => NotNull(input).LeakyRelu(negativeSlope);

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    public static Tensor Sigmoid(Tensor input) => NotNull(input).Sigmoid();

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor input) => NotNull(input).Tanh();

    /// <summary>The Heaviside step: 1 where x &gt; 0, 0 where x ≤ 0. Back-propagating through it throws (use Sigmoid).</summary>
    public static Tensor Step(Tensor input) => NotNull(input).Step();

    /// <summary>softmax along <paramref name="axis"/>: exp(xᵢ) / Σⱼ exp(xⱼ), stable for large |x|.</summary>
    public static Tensor Softmax(Tensor input, int axis) => NotNull(input).Softmax(axis);

    /// <summary>log-softmax along <paramref name="axis"/>: xᵢ − log Σⱼ exp(xⱼ), stable for large |x|.</summary>
    public static Tensor LogSoftmax(Tensor input, int axis) => NotNull(input).LogSoftmax(axis);
}
