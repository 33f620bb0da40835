using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "maxout", "out_features": 4, "pieces": 3, "bias": true}</c>: <see cref="Maxout"/> on a
/// [features] input. ONNX: Gemm into [N, out·pieces], Reshape to [N, out, pieces], ReduceMax over the pieces.
/// </summary>
internal sealed class MaxoutLayer() : LayerType<Maxout>("maxout", OutFeatures, Pieces, Bias)
{
    private static readonly LayerOption<int> OutFeatures = Option.Int("out_features", min: 1);
    private static readonly LayerOption<int> Pieces = Option.Int("pieces", min: 1);
    private static readonly LayerOption<bool> Bias = Option.Bool("bias", true);

    public override LayerPlan Plan(LayerArgs args)
    {
        int outFeatures = args.Get(OutFeatures), pieces = args.Get(Pieces);
        bool bias = args.Get(Bias);
        int inFeatures = args.Features();
        long rows = (long)outFeatures * pieces;
        return new([outFeatures], checked(rows * inFeatures + (bias ? rows : 0)), checked(rows * inFeatures),
            g => new Maxout(inFeatures, outFeatures, pieces, bias, g));
    }

    protected override void Describe(Maxout module, LayerDescription description)
    {
        description.Set(OutFeatures, module.OutFeatures);
        description.Set(Pieces, module.Pieces);
        description.Set(Bias, module.Bias is not null);
    }

    protected override int? InputSize(Maxout module) => module.InFeatures;

    protected override void Export(OnnxLayer layer, Maxout module)
    {
        string all = layer.Hidden("Gemm", "gemm", "pieces", layer.Affine(module.Weight, module.Bias), a => a.Int("transB", 1));
        string shape = layer.Int64s("onnx_shape", 0, module.OutFeatures, module.Pieces);
        string grouped = layer.Hidden("Reshape", "group", "grouped", [all, shape]);
        layer.Node("ReduceMax", [grouped], a =>
        {
            a.Ints("axes", 2);
            a.Int("keepdims", 0);
        });
    }
}
