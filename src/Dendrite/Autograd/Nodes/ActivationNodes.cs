using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Autograd.Nodes;

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

/// <summary>d sin x / dx = cos x.</summary>
public sealed class SinBackward(Tensor x) : Node(x)
{
    protected internal override Tensor?[] Backward(Tensor g) => [Tensor.Zip(g, x, default(SinGradOp), Name)];
}
