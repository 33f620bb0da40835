using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "flatten", "start_dim": 1, "end_dim": -1}</c>: <see cref="Flatten"/>, dims being axes of the
/// batched tensor (the batch axis 0 cannot be merged: a spec describes one sample). ONNX: Flatten (axis 1)
/// for a full flatten, Reshape otherwise.
/// </summary>
internal sealed class FlattenLayer() : LayerType<Flatten>("flatten", StartDim, EndDim)
{
    private static readonly LayerOption<int> StartDim = Option.Int("start_dim", 1);
    private static readonly LayerOption<int> EndDim = Option.Int("end_dim", -1);

    public override LayerPlan Plan(LayerArgs args)
    {
        int start = args.Get(StartDim), end = args.Get(EndDim);
        var shape = args.Input;
        int rank = shape.Length + 1;
        int s = start < 0 ? start + rank : start, e = end < 0 ? end + rank : end;
        if (s < 0 || s >= rank || e < 0 || e >= rank)
            throw args.Error($"start_dim {start} / end_dim {end} out of range for the batched input [N, {string.Join(", ", shape)}]");
        if (s == 0) throw args.Error("start_dim must not be the batch axis 0 (a spec describes one sample)");
        if (e < s) throw args.Error($"end_dim {end} comes before start_dim {start}");
        int[] output = [.. shape[..(s - 1)], shape[(s - 1)..e].Aggregate(1, (a, b) => a * b), .. shape[e..]];
        return new(output, 0, 0, _ => new Flatten(start, end));
    }

    protected override void Describe(Flatten module, LayerDescription description)
    {
        description.Set(StartDim, module.StartAxis);
        description.Set(EndDim, module.EndAxis);
    }

    protected override void Export(OnnxLayer layer, Flatten module)
    {
        if (layer.OutputShape.Count == 1)
        {
            layer.Node("Flatten", [layer.Input], a => a.Int("axis", 1));
            return;
        }
        // A partial flatten: Reshape, with 0 copying the (symbolic) batch size.
        string shape = layer.Int64s("onnx_shape", [0, .. layer.OutputShape.Select(d => (long)d)]);
        layer.Node("Reshape", [layer.Input, shape]);
    }
}
