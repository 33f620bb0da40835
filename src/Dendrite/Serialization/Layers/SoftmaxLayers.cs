using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "softmax", "dim": -1}</c>: <see cref="Softmax"/> along dim, an axis of the batched tensor
/// as in PyTorch. ONNX: Softmax (axis).
/// </summary>
internal sealed class SoftmaxLayer() : SoftmaxLayer<Softmax>("softmax", "Softmax")
{
    protected override Softmax Make(int dim) => new(dim);

    protected override int Axis(Softmax module) => module.Axis;
}

/// <summary><c>{"type": "logsoftmax", "dim": -1}</c>: <see cref="LogSoftmax"/>. ONNX: LogSoftmax (axis).</summary>
internal sealed class LogSoftmaxLayer() : SoftmaxLayer<LogSoftmax>("logsoftmax", "LogSoftmax")
{
    protected override LogSoftmax Make(int dim) => new(dim);

    protected override int Axis(LogSoftmax module) => module.Axis;
}

/// <summary>What softmax and log-softmax share: one dim option, checked against the batched input's rank.</summary>
internal abstract class SoftmaxLayer<T>(string name, string onnxOp) : LayerType<T>(name, Dim) where T : Module
{
    private static readonly LayerOption<int> Dim = Option.Int("dim", -1);

    public override LayerPlan Plan(LayerArgs args)
    {
        int dim = args.Get(Dim);
        int batchedRank = args.Input.Length + 1;
        if (dim < -batchedRank || dim >= batchedRank)
            throw args.Error($"dim {dim} is out of range for the batched input [N, {string.Join(", ", args.Input)}] (rank {batchedRank})");
        return new(args.Input, 0, 0, _ => Make(dim));
    }

    protected abstract T Make(int dim);

    protected abstract int Axis(T module);

    protected override void Describe(T module, LayerDescription description) => description.Set(Dim, Axis(module));

    protected override void Export(OnnxLayer layer, T module) => layer.Node(onnxOp, [layer.Input], a => a.Int("axis", Axis(module)));
}
