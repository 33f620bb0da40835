using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

// The element-wise activations; any input shape, output of the same shape.

/// <summary><c>{"type": "relu"}</c>: <see cref="ReLU"/>. ONNX: Relu.</summary>
internal sealed class ReluLayer() : ElementwiseLayer<ReLU>("relu", "Relu");

/// <summary><c>{"type": "sigmoid"}</c>: <see cref="Sigmoid"/>. ONNX: Sigmoid.</summary>
internal sealed class SigmoidLayer() : ElementwiseLayer<Sigmoid>("sigmoid", "Sigmoid");

/// <summary><c>{"type": "tanh"}</c>: <see cref="Tanh"/>. ONNX: Tanh.</summary>
internal sealed class TanhLayer() : ElementwiseLayer<Tanh>("tanh", "Tanh");

/// <summary><c>{"type": "identity"}</c>: <see cref="Identity"/>. ONNX: Identity.</summary>
internal sealed class IdentityLayer() : ElementwiseLayer<Identity>("identity", "Identity");

/// <summary>
/// <c>{"type": "step"}</c>: the perceptron's Heaviside <see cref="Step"/>, H(0) = 0. ONNX has no step
/// operator: Cast(Greater(x, 0)) to float.
/// </summary>
internal sealed class StepLayer() : ElementwiseLayer<Step>("step", onnxOp: "")
{
    protected override void Export(OnnxLayer layer, Step module)
    {
        string zero = layer.Weight("onnx_zero", Dendrite.Tensors.Tensor.Scalar(0));
        string mask = layer.Hidden("Greater", "greater", "mask", [layer.Input, zero]);
        layer.Node("Cast", [mask], a => a.Int("to", OnnxProto.Float32));
    }
}

/// <summary><c>{"type": "leakyrelu", "negative_slope": 0.01}</c>: <see cref="LeakyReLU"/>. ONNX: LeakyRelu (alpha).</summary>
internal sealed class LeakyReluLayer() : LayerType<LeakyReLU>("leakyrelu", NegativeSlope)
{
    private static readonly LayerOption<float> NegativeSlope = Option.Float("negative_slope", 0.01f);

    public override LayerPlan Plan(LayerArgs args)
    {
        float slope = args.Get(NegativeSlope);
        return new(args.Input, 0, 0, _ => new LeakyReLU(slope));
    }

    protected override void Describe(LeakyReLU module, LayerDescription description) => description.Set(NegativeSlope, module.NegativeSlope);

    protected override void Export(OnnxLayer layer, LeakyReLU module) =>
        layer.Node("LeakyRelu", [layer.Input], a => a.Float("alpha", module.NegativeSlope));
}
