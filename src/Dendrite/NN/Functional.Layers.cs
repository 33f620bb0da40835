using System.Globalization;
using Dendrite.Autograd;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

// Linear maps, maxout, feature maps, dropout and batch normalisation: the modules in Layers/ call these.
public static partial class Functional
{
    /// <summary>
    /// y = x·Wᵀ + b. <paramref name="input"/> is [..., in] (any number of leading dimensions, or just [in]),
    /// <paramref name="weight"/> is [out, in], <paramref name="bias"/> is [out] or null; y is [..., out].
    /// The leading dimensions are folded into one so the product is a single GEMM that reads Wᵀ in place.
    /// </summary>
    public static Tensor Linear(Tensor input, Tensor weight, Tensor? bias = null) => Linear(input, weight, bias, relu: false);

    /// <summary>
    /// relu(Linear(x)). With no gradient to record (inference) the ReLU runs in the GEMM's epilogue, which
    /// saves a tensor and a pass over it; otherwise it is the two ops, so that backward works as usual.
    /// <see cref="Fusion"/> calls it for a Linear followed by a ReLU.
    /// </summary>
    internal static Tensor LinearRelu(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        bool record = Tensor.ShouldRecord(input, weight) || (bias is not null && Tensor.ShouldRecord(bias));
        return record ? Linear(input, weight, bias).Relu() : Linear(input, weight, bias, relu: true);
    }

    private static Tensor Linear(Tensor input, Tensor weight, Tensor? bias, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Rank != 2)
            throw new ArgumentException($"Linear: the weight must be [out_features, in_features], got shape {weight.Shape}");
        int outFeatures = weight.Shape[0], inFeatures = weight.Shape[1];
        if (input.Rank == 0 || input.Shape[-1] != inFeatures)
            throw new ArgumentException(
                $"Linear: expected input with {inFeatures} features (last dimension), got shape {input.Shape}");
        if (bias is not null && (bias.Rank != 1 || bias.Shape[0] != outFeatures))
            throw new ArgumentException($"Linear: the bias must have shape [{outFeatures}] to match the weight {weight.Shape}, got {bias.Shape}");

        var rows = input.Rank == 2 ? input : input.Reshape(-1, inFeatures);
        var y = Tensor.Linear(rows, weight, bias, relu);
        if (input.Rank == 2) return y;
        var outShape = input.Shape.ToArray();
        outShape[^1] = outFeatures;
        return y.Reshape(outShape);
    }

    /// <summary>
    /// Maxout (Goodfellow et al., 2013): z = x·Wᵀ + b with W [out·pieces, in], grouped as [..., out, pieces]
    /// (row o·pieces + k of W is piece k of unit o), then y = max over the pieces → [..., out]. The gradient
    /// goes to the winning piece only (the first one on a tie).
    /// </summary>
    public static Tensor Maxout(Tensor input, Tensor weight, Tensor? bias, int pieces)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (pieces < 1) throw new ArgumentException($"Maxout: pieces must be at least 1, got {pieces}");
        if (weight.Rank != 2 || weight.Shape[0] % pieces != 0)
            throw new ArgumentException($"Maxout: the weight must be [out_features·{pieces}, in_features], got shape {weight.Shape}");
        if (input.Rank == 0 || input.Shape[-1] != weight.Shape[1])
            throw new ArgumentException($"Maxout: expected input with {weight.Shape[1]} features (last dimension), got shape {input.Shape}");
        var z = Linear(input, weight, bias);
        var grouped = z.Shape.ToArray()[..^1].Concat([weight.Shape[0] / pieces, pieces]).ToArray();
        return z.Reshape(grouped).Max(-1).Values;
    }

    /// <summary>
    /// Expands points [N, 2] = (x₁, x₂) into the chosen <paramref name="features"/>, in the order the enum
    /// lists them: x₁, x₂, x₁², x₂², x₁x₂, sin x₁, sin x₂ → [N, count].
    /// </summary>
    public static Tensor FeatureMap(Tensor input, FeatureSet features)
    {
        ArgumentNullException.ThrowIfNull(input);
        var chosen = Layers.FeatureMap.Members(features);
        if (input.Rank != 2 || input.Shape[1] != 2)
            throw new ArgumentException($"FeatureMap: expected points of shape [N,2] (x1, x2), got shape {input.Shape}");
        var x1 = input.Narrow(1, 0, 1);
        var x2 = input.Narrow(1, 1, 1);
        var columns = chosen.Select(f => f switch
        {
            FeatureSet.X1 => x1,
            FeatureSet.X2 => x2,
            FeatureSet.X1Squared => x1 * x1,
            FeatureSet.X2Squared => x2 * x2,
            FeatureSet.X1X2 => x1 * x2,
            FeatureSet.SinX1 => x1.Sin(),
            _ => x2.Sin(),
        }).ToList();
        return Tensor.Cat(columns, 1);
    }

    /// <summary>
    /// Inverted dropout: in training, each element is zeroed with probability <paramref name="p"/> and the
    /// survivors are scaled by 1/(1−p), so the expected value is unchanged and evaluation needs no rescaling;
    /// with <paramref name="training"/> false (or p = 0) the input is returned as it is. p must lie in [0, 1).
    /// The mask is drawn from <paramref name="generator"/> (default <see cref="Generator.Default"/>).
    /// </summary>
    public static Tensor Dropout(Tensor input, float p = 0.5f, bool training = true, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        CheckDropoutProbability(p);
        if (!training || p == 0f) return input;
        // One multiply by a precomputed {0, 1/(1−p)} mask: the backward is the same mask, via MulBackward.
        var mask = Tensor.Bernoulli(1f - p, input.Shape.ToArray(), generator);
        mask.Mul_(1f / (1f - p));
        return input * mask;
    }

    internal static void CheckDropoutProbability(float p)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentException(
                $"Dropout: p is the probability of zeroing an element and must lie in [0, 1), got {p.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>
    /// Batch normalisation over the channel axis (axis 1), like <c>torch.nn.functional.batch_norm</c>:
    /// y = (x − μ) / √(σ² + ε) · γ + β for input [N, C, ...] (rank 2 or more). With
    /// <paramref name="training"/>, μ and σ² are the batch's statistics per channel (over every axis but 1;
    /// biased variance, and more than one value per channel is required), and running statistics, when
    /// given, move in place (outside the graph) by <paramref name="momentum"/>: r ← (1 − m)·r + m·batch, with
    /// the unbiased variance for <paramref name="runningVar"/>. Without <paramref name="training"/> the
    /// running statistics are used and must be given. <paramref name="runningMean"/>,
    /// <paramref name="runningVar"/>, γ = <paramref name="weight"/> and β = <paramref name="bias"/> are [C] or
    /// null (no scale, no shift). Defaults as PyTorch's: training false, momentum 0.1, ε 1e-5.
    /// </summary>
    public static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight = null, Tensor? bias = null,
        bool training = false, float momentum = 0.1f, float eps = 1e-5f) =>
        BatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu: false);

    /// <summary>
    /// <see cref="BatchNorm(Tensor, Tensor?, Tensor?, Tensor?, Tensor?, bool, float, float)"/>, then max(·, 0) in
    /// the same pass with <paramref name="relu"/> (and the ReLU's mask in the same backward pass).
    /// <see cref="Fusion"/> calls it for a BatchNorm followed by a ReLU.
    /// </summary>
    internal static Tensor BatchNorm(Tensor input, Tensor? runningMean, Tensor? runningVar, Tensor? weight, Tensor? bias,
        bool training, float momentum, float eps, bool relu)
    {
        const string op = "BatchNorm";
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank < 2)
            throw new ArgumentException($"{op}: expected input [N,C,...] with the channels on axis 1, got {input.Shape}");
        int channels = input.Shape[1];
        CheckChannelVector(runningMean, "running_mean", input);
        CheckChannelVector(runningVar, "running_var", input);
        CheckChannelVector(weight, "weight", input);
        CheckChannelVector(bias, "bias", input);
        if ((runningMean is null) != (runningVar is null))
            throw new ArgumentException($"{op}: give both running_mean and running_var, or neither");
        if (!training && runningMean is null)
            throw new ArgumentException($"{op}: evaluation (training: false) uses running_mean and running_var, and none were given");
        if (!(eps > 0)) throw new ArgumentException($"{op}: eps must be positive, got {eps}");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{op}: momentum must be in [0, 1], got {momentum}");
        if (training && (channels == 0 ? 0 : input.Numel / channels) < 2)
            throw new ArgumentException($"{op}: expected more than 1 value per channel when training, got input {input.Shape}");
        return Tensor.BatchNorm(input, runningMean, runningVar, weight, bias, training, momentum, eps, relu);
    }

    private static void CheckChannelVector(Tensor? t, string what, Tensor input)
    {
        if (t is not null && (t.Rank != 1 || t.Shape[0] != input.Shape[1]))
            throw new ArgumentException(
                $"BatchNorm: {what} of shape {t.Shape} does not match the {input.Shape[1]} channels (axis 1) of input {input.Shape}");
    }
}
