using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "featuremap", "features": ["x1", "x2", "x1x2"]}</c> (or "all"; the names are x1, x2,
/// x1_squared, x2_squared, x1x2, sin_x1, sin_x2): <see cref="FeatureMap"/> on [2] points. ONNX: x1 and x2
/// gathered as columns, Mul for the squares and the product, Sin, and a Concat of the chosen features in order.
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

    protected override void Export(OnnxLayer layer, FeatureMap module)
    {
        // Gather with a one-element index keeps the column dimension: [N, 2] -> [N, 1].
        string Column(int i) => layer.Hidden("Gather", $"x{i + 1}", $"x{i + 1}", [layer.Input, layer.Int64s($"onnx_column{i}", i)], a => a.Int("axis", 1));
        string x1 = Column(0), x2 = Column(1);
        var outputs = FeatureMap.Members(module.Features).Select(f => f switch
        {
            FeatureSet.X1 => x1,
            FeatureSet.X2 => x2,
            FeatureSet.X1Squared => layer.Hidden("Mul", "x1_squared", "x1_squared", [x1, x1]),
            FeatureSet.X2Squared => layer.Hidden("Mul", "x2_squared", "x2_squared", [x2, x2]),
            FeatureSet.X1X2 => layer.Hidden("Mul", "x1x2", "x1x2", [x1, x2]),
            FeatureSet.SinX1 => layer.Hidden("Sin", "sin_x1", "sin_x1", [x1]),
            _ => layer.Hidden("Sin", "sin_x2", "sin_x2", [x2]),
        }).ToList();
        layer.Node("Concat", outputs, a => a.Int("axis", 1));
    }
}
