using Dendrite.Autograd;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>Which fan Kaiming initialisation preserves: the forward pass's variance (fan-in) or the backward pass's (fan-out).</summary>
public enum FanMode
{
    /// <summary>Keeps the variance of the activations in the forward pass.</summary>
    FanIn,

    /// <summary>Keeps the variance of the gradients in the backward pass.</summary>
    FanOut,
}

/// <summary>
/// Weight initialisation, like <c>torch.nn.init</c>. Every function fills its tensor (or
/// <see cref="Parameter"/>) in place, outside the graph, and returns it; random ones draw from their
/// optional <c>generator</c> argument (default <see cref="Generator.Default"/>) in row-major order, so a seed
/// reproduces the same weights. Fans follow PyTorch's <c>_calculate_fan_in_and_fan_out</c> (see
/// <see cref="CalculateFanInAndFanOut(Tensor)"/>).
/// </summary>
public static class Init
{
    /// <summary>Fills <paramref name="tensor"/> with samples of U(<paramref name="a"/>, <paramref name="b"/>).</summary>
    public static Tensor Uniform_(Tensor tensor, float a = 0f, float b = 1f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(a <= b) || !float.IsFinite(a) || !float.IsFinite(b))
            throw new ArgumentException($"Uniform_: expected finite bounds with a <= b, got a={a}, b={b}");
        var u = Tensor.Rand(generator ?? Generator.Default, tensor.Shape.ToArray());
        var values = u.Map(new Kernels.AffineOp(b - a, a));
        return Assign(tensor, values);
    }

    /// <summary>Fills <paramref name="tensor"/> with samples of N(<paramref name="mean"/>, <paramref name="std"/>²).</summary>
    public static Tensor Normal_(Tensor tensor, float mean = 0f, float std = 1f, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (!(std >= 0) || !float.IsFinite(std) || !float.IsFinite(mean))
            throw new ArgumentException($"Normal_: expected a finite mean and a finite std >= 0, got mean={mean}, std={std}");
        var n = Tensor.Randn(generator ?? Generator.Default, tensor.Shape.ToArray());
        return Assign(tensor, n.Map(new Kernels.AffineOp(std, mean)));
    }

    /// <summary>Fills <paramref name="tensor"/> with <paramref name="value"/>.</summary>
    public static Tensor Constant_(Tensor tensor, float value)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        using var noGrad = GradMode.NoGrad();
        return tensor.Fill_(value);
    }

    /// <summary>Fills <paramref name="tensor"/> with 0.</summary>
    public static Tensor Zeros_(Tensor tensor) => Constant_(tensor, 0f);

    /// <summary>Fills <paramref name="tensor"/> with 1.</summary>
    public static Tensor Ones_(Tensor tensor) => Constant_(tensor, 1f);

    /// <summary>
    /// Glorot/Xavier uniform: U(−a, a) with a = gain·√(6 / (fan_in + fan_out)), which keeps the variance of
    /// activations and gradients roughly equal across layers for tanh-like units (Glorot &amp; Bengio, 2010).
    /// Needs at least 2 dimensions.
    /// </summary>
    public static Tensor XavierUniform_(Tensor tensor, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = FansOf(tensor, "XavierUniform_");
        float std = gain * MathF.Sqrt(2f / (fanIn + fanOut));
        float a = MathF.Sqrt(3f) * std;
        return Uniform_(tensor, -a, a, generator);
    }

    /// <summary>Glorot/Xavier normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)). Needs at least 2 dimensions.</summary>
    public static Tensor XavierNormal_(Tensor tensor, float gain = 1f, Generator? generator = null)
    {
        var (fanIn, fanOut) = FansOf(tensor, "XavierNormal_");
        return Normal_(tensor, 0f, gain * MathF.Sqrt(2f / (fanIn + fanOut)), generator);
    }

    /// <summary>
    /// He/Kaiming uniform: U(−bound, bound) with bound = √3·gain/√fan, gain = <see cref="CalculateGain"/>(
    /// <paramref name="nonlinearity"/>, <paramref name="a"/>) and fan chosen by <paramref name="mode"/>
    /// (He et al., 2015). With a = √5 (PyTorch's Linear and Conv default) the bound is 1/√fan_in. A tensor with
    /// no elements is left as it is. Needs at least 2 dimensions.
    /// </summary>
    public static Tensor KaimingUniform_(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn,
        string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        float std = KaimingStd(tensor, a, mode, nonlinearity, "KaimingUniform_");
        if (tensor.Numel == 0) return tensor;
        float bound = MathF.Sqrt(3f) * std;
        return Uniform_(tensor, -bound, bound, generator);
    }

    /// <summary>He/Kaiming normal: N(0, std²) with std = gain/√fan; arguments as for <see cref="KaimingUniform_"/>.</summary>
    public static Tensor KaimingNormal_(Tensor tensor, float a = 0f, FanMode mode = FanMode.FanIn,
        string nonlinearity = "leaky_relu", Generator? generator = null)
    {
        float std = KaimingStd(tensor, a, mode, nonlinearity, "KaimingNormal_");
        if (tensor.Numel == 0) return tensor;
        return Normal_(tensor, 0f, std, generator);
    }

    /// <summary>
    /// PyTorch's default initialisation of a <c>Linear</c> or <c>Conv2d</c> layer (their
    /// <c>reset_parameters</c>): the weight from Kaiming uniform with a = √5, which is U(−1/√fan_in, 1/√fan_in),
    /// then the bias, if any, from U(−1/√fan_in, 1/√fan_in), with fan_in taken from the weight (see
    /// <see cref="CalculateFanInAndFanOut(Tensor)"/>); drawn in that order from <paramref name="generator"/>.
    /// The layers' <c>ResetParameters</c> call it.
    /// </summary>
    public static void LayerDefault_(Tensor weight, Tensor? bias = null, Generator? generator = null)
    {
        KaimingUniform_(weight, a: MathF.Sqrt(5f), generator: generator);
        if (bias is null) return;
        var (fanIn, _) = FansOf(weight, "LayerDefault_");
        float bound = fanIn > 0 ? 1f / MathF.Sqrt(fanIn) : 0f;
        Uniform_(bias, -bound, bound, generator);
    }

    /// <summary>
    /// The recommended gain for a nonlinearity, as <c>torch.nn.init.calculate_gain</c>: 1 for linear, the
    /// conv and conv-transpose names and sigmoid; 5/3 for tanh; √2 for relu; √(2 / (1 + slope²)) for
    /// leaky_relu (slope = <paramref name="param"/>, default 0.01); 3/4 for selu. Names are PyTorch's,
    /// matched without regard to case.
    /// </summary>
    public static float CalculateGain(string nonlinearity, float? param = null)
    {
        ArgumentNullException.ThrowIfNull(nonlinearity);
        switch (nonlinearity.ToLowerInvariant())
        {
            case "linear" or "conv1d" or "conv2d" or "conv3d" or "conv_transpose1d" or "conv_transpose2d"
                or "conv_transpose3d" or "sigmoid":
                return 1f;
            case "tanh":
                return 5f / 3f;
            case "relu":
                return MathF.Sqrt(2f);
            case "leaky_relu":
                float slope = param ?? 0.01f;
                if (!float.IsFinite(slope))
                    throw new ArgumentException($"CalculateGain: negative_slope {slope} is not a valid number");
                return MathF.Sqrt(2f / (1f + slope * slope));
            case "selu":
                return 3f / 4f;
            default:
                throw new ArgumentException(
                    $"CalculateGain: unsupported nonlinearity '{nonlinearity}' (expected linear, conv1d, conv2d, conv3d, " +
                    "conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu or selu)");
        }
    }

    /// <summary>
    /// Fan-in and fan-out of a weight, as PyTorch computes them: for [out, in] they are in and out; for a
    /// convolution weight [out, in, k₁, k₂, ...] both are multiplied by the receptive field k₁·k₂·…. Fewer
    /// than 2 dimensions is an error.
    /// </summary>
    public static (int FanIn, int FanOut) CalculateFanInAndFanOut(Tensor tensor) =>
        FansOf(tensor, "CalculateFanInAndFanOut");

    private static (int FanIn, int FanOut) FansOf(Tensor tensor, string op)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        if (tensor.Rank < 2)
            throw new ArgumentException(
                $"{op}: fan in and fan out cannot be computed for a tensor with fewer than 2 dimensions (shape {tensor.Shape})");
        int receptiveField = 1;
        for (int d = 2; d < tensor.Rank; d++) receptiveField *= tensor.Shape[d];
        return (tensor.Shape[1] * receptiveField, tensor.Shape[0] * receptiveField);
    }

    private static float KaimingStd(Tensor tensor, float a, FanMode mode, string nonlinearity, string op)
    {
        var (fanIn, fanOut) = FansOf(tensor, op);
        int fan = mode switch
        {
            FanMode.FanIn => fanIn,
            FanMode.FanOut => fanOut,
            _ => throw new ArgumentException($"{op}: unknown fan mode {mode}"),
        };
        float gain = CalculateGain(nonlinearity, a);
        return gain / MathF.Sqrt(fan);
    }

    // Writes outside the graph so parameters (which require gradients) can be initialised.
    private static Tensor Assign(Tensor tensor, Tensor values)
    {
        using var noGrad = GradMode.NoGrad();
        return tensor.CopyFrom_(values);
    }
}
