using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "adaptiveavgpool2d", "output_size": [2, 3]}</c>: <see cref="AdaptiveAvgPool2d"/> on a
/// [channels, height, width] input. ONNX: GlobalAveragePool for a 1×1 output, AveragePool when the output
/// size divides the input's (other sizes have uneven windows, which ONNX cannot express).
/// </summary>
internal sealed class AdaptiveAvgPool2dLayer() : LayerType<AdaptiveAvgPool2d>("adaptiveavgpool2d", OutputSize)
{
    private static readonly LayerOption<Size2d> OutputSize = Option.Pair("output_size");

    public override LayerPlan Plan(LayerArgs args)
    {
        var size = args.Get(OutputSize);
        args.Image();
        return new([args.Input[0], size.H, size.W], 0, 0, _ => new AdaptiveAvgPool2d(size));
    }

    protected override void Describe(AdaptiveAvgPool2d module, LayerDescription description) => description.Set(OutputSize, module.OutputSize);

    protected override void Export(OnnxLayer layer, AdaptiveAvgPool2d module)
    {
        int h = layer.InputShape[1], w = layer.InputShape[2], oh = module.OutputSize.H, ow = module.OutputSize.W;
        if (oh == 1 && ow == 1)
        {
            layer.Node("GlobalAveragePool", [layer.Input]);
        }
        else if (h % oh == 0 && w % ow == 0)
        {
            // With evenly dividing sizes PyTorch's adaptive windows are exactly a strided average pool.
            layer.Node("AveragePool", [layer.Input], a =>
            {
                a.Ints("kernel_shape", h / oh, w / ow);
                a.Ints("strides", h / oh, w / ow);
            });
        }
        else
        {
            throw layer.NotSupported($"output size ({oh}, {ow}) from input {ModelSpec.Format(layer.InputShape)} has uneven windows, " +
                "which ONNX cannot express; use output size 1 or one that divides the input");
        }
    }
}
