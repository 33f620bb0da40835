using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "linear", "out_features": 10, "bias": true}</c>: <see cref="Linear"/> on a [features] input,
/// in_features inferred. ONNX: Gemm with transB = 1.
/// </summary>
internal sealed class LinearLayer() : LayerType<Linear>("linear", OutFeatures, Bias)
{
    private static readonly LayerOption<int> OutFeatures = Option.Int("out_features", min: 1);
    private static readonly LayerOption<bool> Bias = Option.Bool("bias", true);

    public override LayerPlan Plan(LayerArgs args)
    {
        int outFeatures = args.Get(OutFeatures);
        bool bias = args.Get(Bias);
        int inFeatures = args.Features();
        long weights = (long)inFeatures * outFeatures;
        return new([outFeatures], weights + (bias ? outFeatures : 0), weights, g => new Linear(inFeatures, outFeatures, bias, g));
    }

    protected override void Describe(Linear module, LayerDescription description)
    {
        description.Set(OutFeatures, module.OutFeatures);
        description.Set(Bias, module.Bias is not null);
    }

    protected override int? InputSize(Linear module) => module.InFeatures;

    protected override void Export(OnnxLayer layer, Linear module) =>
        layer.Node("Gemm", layer.Affine(module.Weight, module.Bias), a => a.Int("transB", 1));
}
