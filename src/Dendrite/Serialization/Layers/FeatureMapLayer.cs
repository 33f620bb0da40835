using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "featuremap", "features": ["x1", "x2", "x1x2"]}</c> (or "all"; the names are x1, x2,
/// x1_squared, x2_squared, x1x2, sin_x1, sin_x2): <see cref="FeatureMap"/> on [2] points. No ONNX export.
/// </summary>
internal sealed class FeatureMapLayer() : LayerType<FeatureMap>("featuremap", Features)
{
    private static readonly LayerOption<FeatureSet> Features = Option.Features("features");

    public override LayerPlan Plan(LayerArgs args)
    {
        var features = args.Get(Features);
        if (args.Input is not [2]) throw args.Error($"expected input [2] (points x1, x2), got {ModelSpec.Format(args.Input)}");
        int count = args.Check(() => FeatureMap.Members(features).Count);
        return new([count], 0, 0, _ => new FeatureMap(features));
    }

    protected override void Describe(FeatureMap module, LayerDescription description) => description.Set(Features, module.Features);

    protected override void Export(OnnxLayer layer, FeatureMap module) =>
        throw new NotSupportedException($"OnnxExporter: {layer.Where} is not supported: FeatureMap has no ONNX export; export the layers after it");
}
