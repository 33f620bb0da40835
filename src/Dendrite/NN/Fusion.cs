using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// The fusion pass <see cref="Sequential"/> runs over its children: a few neighbouring layers whose ops have
/// a fused kernel become one step, so that without a recorded graph (inference, evaluation) the output is
/// computed in fewer passes over memory. Each fused step gives the same bits as its layers run one by one,
/// and with a graph recorded it runs exactly those layers' ops (BatchNorm → ReLU excepted: one fused op
/// whose gradients are the same bits as the two ops'), so backward is unchanged.
/// </summary>
/// <remarks>
/// The patterns, tried in this order at each position:
/// <list type="bullet">
/// <item>Conv2d → ReLU → MaxPool2d: ReLU in the convolution's last pass, and each image's map pooled while it
/// is in cache instead of being written out and read back.</item>
/// <item>Conv2d → ReLU and Linear → ReLU: the ReLU in the last pass (the GEMM's epilogue); batch-1 inference
/// pays per op, and a separate ReLU would add a tensor and a pass over it.</item>
/// <item>BatchNorm → ReLU, in training too: one op whose forward pass normalises and clamps in one pass over
/// memory and whose backward pass applies the ReLU's mask while it computes the normalisation's gradient
/// (recorded as one node, so the graph has one node fewer; the same bits as the two layers).</item>
/// </list>
/// The layer types are sealed, so matching by type cannot skip an override.
/// </remarks>
internal static class Fusion
{
    /// <summary>The steps that run <paramref name="layers"/> in order: the layers themselves, with fusable runs replaced.</summary>
    public static Module[] Plan(IReadOnlyList<Module> layers)
    {
        var steps = new List<Module>(layers.Count);
        for (int i = 0; i < layers.Count; i++)
        {
            var next = i + 1 < layers.Count ? layers[i + 1] : null;
            var afterNext = i + 2 < layers.Count ? layers[i + 2] : null;
            switch (layers[i])
            {
                case Conv2d conv when next is ReLU && afterNext is MaxPool2d pool:
                    steps.Add(new Conv2dReLUMaxPool2d(conv, pool));
                    i += 2;
                    break;
                case Conv2d conv when next is ReLU:
                    steps.Add(new Conv2dReLU(conv));
                    i++;
                    break;
                case BatchNormBase norm when norm is BatchNorm1d or BatchNorm2d && next is ReLU:
                    steps.Add(new BatchNormReLU(norm));
                    i++;
                    break;
                case Linear linear when next is ReLU:
                    steps.Add(new LinearReLU(linear));
                    i++;
                    break;
                default:
                    steps.Add(layers[i]);
                    break;
            }
        }
        return [.. steps];
    }

    // The fused steps are modules only to share Forward; they register nothing (the layers they read stay
    // the Sequential's children, so parameters, state dicts and printing are unchanged).

    private sealed class LinearReLU(Linear linear) : Module
    {
        public override Tensor Forward(Tensor input) => Functional.LinearRelu(input, linear.Weight, linear.Bias);
    }

    private sealed class BatchNormReLU(BatchNormBase norm) : Module
    {
        public override Tensor Forward(Tensor input) => norm.Forward(input, relu: true);
    }

    private sealed class Conv2dReLU(Conv2d conv) : Module
    {
        public override Tensor Forward(Tensor input) =>
            Functional.Conv2dRelu(input, conv.Weight, conv.Bias, conv.Window, conv.Groups);
    }

    private sealed class Conv2dReLUMaxPool2d(Conv2d conv, MaxPool2d pool) : Module
    {
        public override Tensor Forward(Tensor input) =>
            Functional.Conv2dReluMaxPool(input, conv.Weight, conv.Bias, conv.Window, conv.Groups, pool.Window)
            ?? pool.Forward(Functional.Conv2dRelu(input, conv.Weight, conv.Bias, conv.Window, conv.Groups));
    }
}
