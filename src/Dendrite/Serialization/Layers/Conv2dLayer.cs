using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "conv2d", "out_channels": 6, "kernel_size": 5, "stride": 1, "padding": 0, "dilation": 1,
/// "groups": 1, "bias": true}</c> (kernel_size, stride, padding and dilation take an int or [height, width];
/// padding also "same" or "valid"): <see cref="Conv2d"/> on a [channels, height, width] input, in_channels
/// inferred. ONNX: Conv with explicit pads ("same" resolved), strides, dilations and group.
/// </summary>
internal sealed class Conv2dLayer() : LayerType<Conv2d>("conv2d", OutChannels, KernelSize, Stride, Padding, Dilation, Groups, Bias)
{
    private static readonly LayerOption<int> OutChannels = Option.Int("out_channels", min: 1);
    private static readonly LayerOption<Size2d> KernelSize = Option.Pair("kernel_size");
    private static readonly LayerOption<Size2d> Stride = Option.Pair("stride", 1);
    private static readonly LayerOption<Padding2d> Padding = Option.Padding("padding");
    private static readonly LayerOption<Size2d> Dilation = Option.Pair("dilation", 1);
    private static readonly LayerOption<int> Groups = Option.Int("groups", 1, min: 1);
    private static readonly LayerOption<bool> Bias = Option.Bool("bias", true);

    public override LayerPlan Plan(LayerArgs args)
    {
        int outChannels = args.Get(OutChannels), groups = args.Get(Groups);
        var (kernel, stride, padding, dilation) = (args.Get(KernelSize), args.Get(Stride), args.Get(Padding), args.Get(Dilation));
        bool bias = args.Get(Bias);
        args.Image();
        int inChannels = args.Input[0];
        var window = args.Check(() => Conv2d.Geometry(inChannels, outChannels, kernel, stride, padding, dilation, groups),
            $" (input {ModelSpec.Format(args.Input)})");
        var (outH, outW) = args.WindowOutput(window,
            $"kernel {kernel.ToShortString()}, dilation {dilation.ToShortString()}, padding {(padding.IsSame ? "\"same\"" : new Size2d(padding.H, padding.W).ToShortString())}");
        long weights = (long)outChannels * (inChannels / groups) * kernel.H * kernel.W;
        return new([outChannels, outH, outW], weights + (bias ? outChannels : 0), checked(weights * outH * outW),
            g => new Conv2d(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, g));
    }

    protected override void Describe(Conv2d module, LayerDescription description)
    {
        description.Set(OutChannels, module.OutChannels);
        description.Set(KernelSize, module.KernelSize);
        description.Set(Stride, module.Stride);
        description.Set(Padding, module.Padding);
        description.Set(Dilation, module.Dilation);
        description.Set(Groups, module.Groups);
        description.Set(Bias, module.Bias is not null);
    }

    protected override int? InputSize(Conv2d module) => module.InChannels;

    protected override void Export(OnnxLayer layer, Conv2d module) =>
        layer.Node("Conv", layer.Affine(module.Weight, module.Bias), a =>
        {
            a.Window(null, module.Stride, module.Pads, module.Dilation);
            a.Int("group", module.Groups);
        });
}
