using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

// Local gradients of the activation functions (Tensor.Activations.cs). Sigmoid and tanh read their saved
// output, whose derivative is a function of it; the others read the input.

/// <summary>σ′(x) = σ(x)(1 − σ(x)), from the saved output.</summary>
public sealed class SigmoidBackward(Tensor x, Tensor result) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, result, default(SigmoidGradOp), Name)];
}

/// <summary>tanh′(x) = 1 − tanh²(x), from the saved output.</summary>
public sealed class TanhBackward(Tensor x, Tensor result) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, result, default(TanhGradOp), Name)];
}

/// <summary>ReLU passes the gradient where x &gt; 0 (a reusable node: it runs on every step of most networks).</summary>
public sealed class ReluBackward : ReusableNode<ReluBackward>
{
    public ReluBackward(Tensor x) : base(x)
    {
    }

    /// <summary>A retired node re-armed for <paramref name="x"/>, or a new one.</summary>
    internal static ReluBackward Create(Tensor x) => Take(x) ?? new ReluBackward(x);

    protected internal override Tensor?[] Backward(Tensor g) => Gradients(Tensor.Zip(g, Input(0)!, default(ReluGradOp), Name));
}

/// <summary>LeakyReLU passes the gradient where x &gt; 0 and scales it by the slope elsewhere (at 0 too, as PyTorch does).</summary>
public sealed class LeakyReluBackward(Tensor x, float slope) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, x, new LeakyReluGradOp(slope), Name)];
}

/// <summary>
/// The Heaviside step has derivative 0 wherever it is defined and none at 0, so back-propagating through
/// it would silently teach nothing; it fails instead and says what to use.
/// </summary>
public sealed class StepBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) =>
        throw new InvalidOperationException(
            "Step: the Heaviside step has zero gradient almost everywhere and none at 0; use Sigmoid for gradient descent");
}
