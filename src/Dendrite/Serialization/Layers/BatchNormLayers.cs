using Dendrite.NN.Layers;
using Dendrite.Serialization.Onnx;
using Dendrite.Tensors;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// <c>{"type": "batchnorm1d", "eps": 1e-5, "momentum": 0.1, "affine": true, "track_running_stats": true}</c>:
/// <see cref="BatchNorm1d"/> on a [features] or [channels, length] input, num_features inferred.
/// ONNX: BatchNormalization with the running statistics (see <see cref="BatchNormLayer{T}"/>).
/// </summary>
internal sealed class BatchNorm1dLayer() : BatchNormLayer<BatchNorm1d>("batchnorm1d")
{
    protected override void CheckInput(LayerArgs args)
    {
        if (args.Input.Length is not (1 or 2))
            throw args.Error($"expected input of rank 1 [features] or 2 [channels, length], got {ModelSpec.Format(args.Input)}");
    }

    protected override BatchNorm1d Make(int features, float eps, float momentum, bool affine, bool track) =>
        new(features, eps, momentum, affine, track);
}

/// <summary>
/// <c>{"type": "batchnorm2d", ...}</c>, the options of batchnorm1d: <see cref="BatchNorm2d"/> on a
/// [channels, height, width] input, num_features inferred. ONNX: BatchNormalization.
/// </summary>
internal sealed class BatchNorm2dLayer() : BatchNormLayer<BatchNorm2d>("batchnorm2d")
{
    protected override void CheckInput(LayerArgs args) => args.Image();

    protected override BatchNorm2d Make(int features, float eps, float momentum, bool affine, bool track) =>
        new(features, eps, momentum, affine, track);
}

/// <summary>
/// What both batch norms share. The ONNX node uses the running statistics (evaluation mode); without them
/// (track_running_stats false) there is nothing to export. Without affine parameters, γ = 1 and β = 0
/// become constant initializers.
/// </summary>
internal abstract class BatchNormLayer<T>(string name) : LayerType<T>(name, Eps, Momentum, Affine, TrackRunningStats) where T : BatchNormBase
{
    private static readonly LayerOption<float> Eps = Option.Float("eps", 1e-5f);
    private static readonly LayerOption<float> Momentum = Option.Float("momentum", 0.1f);
    private static readonly LayerOption<bool> Affine = Option.Bool("affine", true);
    private static readonly LayerOption<bool> TrackRunningStats = Option.Bool("track_running_stats", true);

    public override LayerPlan Plan(LayerArgs args)
    {
        var (eps, momentum, affine, track) = (args.Get(Eps), args.Get(Momentum), args.Get(Affine), args.Get(TrackRunningStats));
        CheckInput(args);
        int c = args.Input[0];
        args.Check(() => BatchNormBase.Check(typeof(T).Name, c, eps, momentum));
        return new(args.Input, affine ? 2L * c : 0, 0, _ => Make(c, eps, momentum, affine, track));
    }

    protected abstract void CheckInput(LayerArgs args);

    protected abstract T Make(int features, float eps, float momentum, bool affine, bool track);

    protected override void Describe(T module, LayerDescription description)
    {
        description.Set(Eps, module.Eps);
        description.Set(Momentum, module.Momentum);
        description.Set(Affine, module.Weight is not null);
        description.Set(TrackRunningStats, module.RunningMean is not null);
    }

    protected override int? InputSize(T module) => module.NumFeatures;

    protected override void Export(OnnxLayer layer, T module)
    {
        if (module.RunningMean is null || module.RunningVar is null)
            throw layer.NotSupported("batch norm without running statistics (track_running_stats=false) cannot be exported for inference");
        string scale = module.Weight is null ? layer.Weight("onnx_scale", Tensor.Ones(module.NumFeatures)) : layer.Weight("weight", module.Weight);
        string shift = module.Bias is null ? layer.Weight("onnx_bias", Tensor.Zeros(module.NumFeatures)) : layer.Weight("bias", module.Bias);
        string mean = layer.Weight("running_mean", module.RunningMean), variance = layer.Weight("running_var", module.RunningVar);
        layer.Node("BatchNormalization", [layer.Input, scale, shift, mean, variance], a => a.Float("epsilon", module.Eps));
    }
}
