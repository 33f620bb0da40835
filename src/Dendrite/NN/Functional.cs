using System.Globalization;
using Dendrite.Autograd;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// The function forms of the layers and activations, like <c>torch.nn.functional</c>: each computation
/// lives here once and the modules in <see cref="Layers"/> call it with their parameters and settings.
/// Method names follow the Tensor methods (<c>Relu</c>, <c>LeakyRelu</c>); the module classes use
/// PyTorch's spelling (<c>ReLU</c>, <c>LeakyReLU</c>).
/// </summary>
public static class Functional
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
    /// </summary>
    internal static Tensor LinearRelu(Tensor input, Tensor weight, Tensor? bias)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        bool record = GradMode.IsEnabled && (input.RequiresGrad || weight.RequiresGrad || (bias?.RequiresGrad ?? false));
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

    /// <summary>max(x, 0) element by element; gradient 0 at x = 0.</summary>
    public static Tensor Relu(Tensor input) => NotNull(input).Relu();

    /// <summary>x for x &gt; 0, negativeSlope·x otherwise (default slope 0.01, as PyTorch).</summary>
    public static Tensor LeakyRelu(Tensor input, float negativeSlope = 0.01f) => NotNull(input).LeakyRelu(negativeSlope);

    /// <summary>σ(x) = 1 / (1 + e^−x).</summary>
    public static Tensor Sigmoid(Tensor input) => NotNull(input).Sigmoid();

    /// <summary>tanh x.</summary>
    public static Tensor Tanh(Tensor input) => NotNull(input).Tanh();

    /// <summary>The Heaviside step: 1 where x &gt; 0, 0 where x ≤ 0. Back-propagating through it throws (use Sigmoid).</summary>
    public static Tensor Step(Tensor input) => NotNull(input).Step();

    /// <summary>softmax along <paramref name="axis"/>: exp(xᵢ) / Σⱼ exp(xⱼ), stable for large |x|.</summary>
    public static Tensor Softmax(Tensor input, int axis) => NotNull(input).Softmax(axis);

    /// <summary>log-softmax along <paramref name="axis"/>: xᵢ − log Σⱼ exp(xⱼ), stable for large |x|.</summary>
    public static Tensor LogSoftmax(Tensor input, int axis) => NotNull(input).LogSoftmax(axis);

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

    internal static void CheckDropoutProbability(float p)
    {
        if (!(p >= 0f && p < 1f))
            throw new ArgumentException(
                $"Dropout: p is the probability of zeroing an element and must lie in [0, 1), got {p.ToString(CultureInfo.InvariantCulture)}");
    }

    private static Tensor NotNull(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}
