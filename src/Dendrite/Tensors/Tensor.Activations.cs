using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Element-wise activation functions: the nonlinearities between layers. Their nodes are in
// Autograd/Nodes/ActivationNodes.cs, their operator structs in Kernels/ActivationOperators.cs.
public partial class Tensor
{
    /// <summary>The logistic function σ(x) = 1 / (1 + e^−x), computed without overflow.</summary>
    public Tensor Sigmoid() => Unary(default(SigmoidOp), static (x, y) => new SigmoidBackward(x, y));

    /// <summary>The hyperbolic tangent.</summary>
    public Tensor Tanh() => Unary(default(TanhOp), static (x, y) => new TanhBackward(x, y));

    /// <summary>max(x, 0); its gradient at 0 is 0, as in PyTorch.</summary>
    public Tensor Relu() => Unary(default(ReluOp), static (x, _) => ReluBackward.Create(x));

    /// <summary>
    /// LeakyReLU: x for x &gt; 0, <paramref name="negativeSlope"/>·x otherwise (PyTorch's default slope is
    /// 0.01). The gradient is 1 for x &gt; 0 and the slope for x ≤ 0, as in PyTorch.
    /// </summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope))
            throw new ArgumentException($"LeakyRelu: the negative slope must be finite, got {negativeSlope}");
        var result = Map(new LeakyReluOp(negativeSlope));
        return ShouldRecord(this) ? result.WithGradFn(new LeakyReluBackward(this, negativeSlope)) : result;
    }

    /// <summary>
    /// The Heaviside step H(x): 1 where x &gt; 0, 0 where x ≤ 0 (so H(0) = 0, the perceptron's threshold,
    /// i.e. <c>torch.heaviside(x, 0)</c>); NaN stays NaN. It has no useful gradient: a backward pass through
    /// it throws, pointing to Sigmoid.
    /// </summary>
    public Tensor Step() => Unary(default(StepOp), static (x, _) => new StepBackward(x));
}
