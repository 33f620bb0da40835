using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "maxpool2d", "kernel_size": 2, "stride": 2, "padding": 0, "dilation": 1}</c> (each an int or
/// [height, width]; stride defaults to the kernel size): <see cref="MaxPool2d"/> on a [channels, height,
/// width] input. ONNX: MaxPool.
/// </summary>
internal sealed class MaxPool2dLayer() : Pool2dLayer<MaxPool2d>("maxpool2d", Dilation)
{
    private static readonly LayerOption<Size2d> Dilation = Option.Pair("dilation", 1);

    public override LayerPlan Plan(LayerArgs args)
    {
        var dilation = args.Get(Dilation);
        var (kernel, stride, padding, output) = Window(args, dilation);
        return new(output, 0, 0, _ => new MaxPool2d(kernel, stride, padding, dilation));
    }

    protected override void Describe(MaxPool2d module, LayerDescription description)
    {
        DescribeWindow(module.KernelSize, module.Stride, module.Padding, description);
        description.Set(Dilation, module.Dilation);
    }

    protected override void Export(OnnxLayer layer, MaxPool2d module) =>
        layer.Node("MaxPool", [layer.Input], a => a.Window(module.KernelSize, module.Stride, module.Pads, module.Dilation));
}

/// <summary>
/// <c>{"type": "avgpool2d", "kernel_size": 2, "stride": 2, "padding": 0, "count_include_pad": true}</c>
/// (stride defaults to the kernel size): <see cref="AvgPool2d"/> on a [channels, height, width] input.
/// ONNX: AveragePool.
/// </summary>
internal sealed class AvgPool2dLayer() : Pool2dLayer<AvgPool2d>("avgpool2d", CountIncludePad)
{
    private static readonly LayerOption<bool> CountIncludePad = Option.Bool("count_include_pad", true);

    public override LayerPlan Plan(LayerArgs args)
    {
        bool countIncludePad = args.Get(CountIncludePad);
        var (kernel, stride, padding, output) = Window(args, 1);
        return new(output, 0, 0, _ => new AvgPool2d(kernel, stride, padding, countIncludePad));
    }

    protected override void Describe(AvgPool2d module, LayerDescription description)
    {
        DescribeWindow(module.KernelSize, module.Stride, module.Padding, description);
        description.Set(CountIncludePad, module.CountIncludePad);
    }

    protected override void Export(OnnxLayer layer, AvgPool2d module) =>
        layer.Node("AveragePool", [layer.Input], a =>
        {
            a.Window(module.KernelSize, module.Stride, module.Pads, null);
            a.Int("count_include_pad", module.CountIncludePad ? 1 : 0);
        });
}

/// <summary>The window options both pools share (kernel_size, stride, padding), then the pool's own.</summary>
internal abstract class Pool2dLayer<T>(string name, LayerOption own) : LayerType<T>(name, KernelSize, Stride, Padding, own) where T : Module
{
    private static readonly LayerOption<Size2d> KernelSize = Option.Pair("kernel_size");
    private static readonly LayerOption<Size2d> Stride = Option.OptionalPair("stride");
    private static readonly LayerOption<Size2d> Padding = Option.Pair("padding", 0, min: 0);

    /// <summary>Reads the window options and checks them as the pool's constructor does; gives the output shape.</summary>
    protected static (Size2d Kernel, Size2d Stride, Size2d Padding, int[] Output) Window(LayerArgs args, Size2d dilation)
    {
        var kernel = args.Get(KernelSize);
        var (stride, padding) = (args.Find(Stride) ?? kernel, args.Get(Padding));
        args.Image();
        var window = args.Check(() => Pool2d.Window(kernel, stride, padding, dilation, typeof(T).Name));
        var (outH, outW) = args.WindowOutput(window, $"kernel {kernel.ToShortString()}, padding {padding.ToShortString()}");
        return (kernel, stride, padding, [args.Input[0], outH, outW]);
    }

    protected static void DescribeWindow(Size2d kernel, Size2d stride, Size2d padding, LayerDescription description)
    {
        description.Set(KernelSize, kernel);
        if (stride != kernel) description.Set(Stride, stride);
        description.Set(Padding, padding);
    }
}
