using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Element-wise activations used by the NN layers, beyond the ones in Tensor.Elementwise.cs.
public partial class Tensor
{
    /// <summary>
    /// LeakyReLU: x for x &gt; 0, <paramref name="negativeSlope"/>·x otherwise (PyTorch's default slope is
    /// 0.01). The gradient is 1 for x &gt; 0 and the slope for x ≤ 0, as in PyTorch.
    /// </summary>
    public Tensor LeakyRelu(float negativeSlope = 0.01f)
    {
        if (!float.IsFinite(negativeSlope))
            throw new ArgumentException($"LeakyRelu: the negative slope must be finite, got {negativeSlope}");
        return Record(Map(new LeakyReluOp(negativeSlope)), x => new LeakyReluBackward(x, negativeSlope));
    }

    /// <summary>
    /// The Heaviside step H(x): 1 where x &gt; 0, 0 where x ≤ 0 (so H(0) = 0, the perceptron's threshold,
    /// i.e. <c>torch.heaviside(x, 0)</c>); NaN stays NaN. It has no useful gradient: a backward pass through
    /// it throws, pointing to Sigmoid.
    /// </summary>
    public Tensor Step() => Record(Map(default(StepOp)), static x => new StepBackward(x));

    /// <summary>sin x (radians).</summary>
    public Tensor Sin() => Record(Map(default(SinOp)), static x => new SinBackward(x));
}
