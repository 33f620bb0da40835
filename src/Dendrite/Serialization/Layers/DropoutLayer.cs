using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "dropout", "p": 0.5}</c>: <see cref="Dropout"/>, masks drawn from the build's generator.
/// ONNX: Identity (the export is for inference, where dropout does nothing).
/// </summary>
internal sealed class DropoutLayer() : LayerType<Dropout>("dropout", P)
{
    private static readonly LayerOption<float> P = Option.Float("p", 0.5f);

    public override LayerPlan Plan(LayerArgs args)
    {
        float p = args.Get(P);
        args.Check(() => Functional.CheckDropoutProbability(p));
        return new(args.Input, 0, 0, g => new Dropout(p, g));
    }

    protected override void Describe(Dropout module, LayerDescription description) => description.Set(P, module.P);

    protected override void Export(OnnxLayer layer, Dropout module) => layer.Node("Identity", [layer.Input]);
}
