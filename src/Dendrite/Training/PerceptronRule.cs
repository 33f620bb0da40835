using Dendrite.Autograd;
using Dendrite.Tensors;

namespace Dendrite.Training;

/// <summary>
/// Rosenblatt's perceptron (1958): a weight vector w [d] and bias b with a step activation,
/// y = 1 if w·x + b &gt; 0 else 0, trained online by the perceptron rule w ← w + η(t − y)x,
/// b ← b + η(t − y) — a change only on mistakes. It converges on linearly separable data (AND, OR) and
/// can never fit XOR (Minsky and Papert, 1969). Weights and bias start at 0. No autograd involved: the rule
/// is not gradient descent on a loss.
/// </summary>
public sealed class PerceptronRule
{
    /// <summary>A perceptron with <paramref name="inputs"/> ≥ 1 input features, weights and bias 0.</summary>
    public PerceptronRule(int inputs)
    {
        if (inputs <= 0) throw new ArgumentOutOfRangeException(nameof(inputs), $"PerceptronRule: needs at least one input, got {inputs}");
        Weights = Tensor.Zeros(inputs);
    }

    /// <summary>The weight vector w, [d].</summary>
    public Tensor Weights { get; }

    /// <summary>The bias b.</summary>
    public float Bias { get; set; }

    /// <summary>The number of input features d.</summary>
    public int InFeatures => Weights.Shape[0];

    /// <summary>Step outputs (0/1) for inputs [N,d] → [N], or for one input [d] → a scalar.</summary>
    public Tensor Predict(Tensor inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        CheckInputs(inputs);
        using var noGrad = GradMode.NoGrad();
        return (inputs.MatMul(Weights) + Bias).Gt(0f);
    }

    /// <summary>
    /// Runs up to <paramref name="epochs"/> passes over the samples in order, applying the rule after each
    /// sample, and returns the number of mistakes made during each pass. Stops early after a pass with no
    /// mistake (the rule would change nothing more). Inputs [N,d]; targets 0/1, [N] or [N,1]; η &gt; 0
    /// (default 1).
    /// </summary>
    public IReadOnlyList<int> Fit(Tensor inputs, Tensor targets, int epochs, float eta = 1f)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        ArgumentNullException.ThrowIfNull(targets);
        CheckInputs(inputs);
        if (inputs.Rank != 2) throw new ArgumentException($"PerceptronRule.Fit: inputs must be [N,{InFeatures}], got {inputs.Shape}");
        int n = inputs.Shape[0];
        if (targets.Numel != n || targets.Rank > 2 || (targets.Rank == 2 && targets.Shape[1] != 1) || targets.Rank == 0)
            throw new ArgumentException($"PerceptronRule.Fit: targets must be [{n}] or [{n},1] to match inputs {inputs.Shape}, got {targets.Shape}");
        var t = targets.ToArray();
        if (t.Any(v => v != 0 && v != 1))
            throw new ArgumentException("PerceptronRule.Fit: targets must be 0 or 1");
        if (epochs <= 0) throw new ArgumentOutOfRangeException(nameof(epochs), $"PerceptronRule.Fit: epochs must be positive, got {epochs}");
        if (!(eta > 0) || float.IsInfinity(eta))
            throw new ArgumentOutOfRangeException(nameof(eta), $"PerceptronRule.Fit: the learning rate η must be positive, got {eta}");

        using var noGrad = GradMode.NoGrad();
        var mistakes = new List<int>();
        for (int epoch = 0; epoch < epochs; epoch++)
        {
            int errors = 0;
            for (int i = 0; i < n; i++)
            {
                var x = inputs.Select(0, i);
                float y = x.MatMul(Weights).Item() + Bias > 0 ? 1 : 0;
                float delta = eta * (t[i] - y);
                if (delta == 0) continue;
                errors++;
                Weights.Add_(x, delta);
                Bias += delta;
            }
            mistakes.Add(errors);
            if (errors == 0) break;
        }
        return mistakes;
    }

    private void CheckInputs(Tensor inputs)
    {
        if (inputs.Rank is < 1 or > 2 || inputs.Shape[-1] != InFeatures)
            throw new ArgumentException($"PerceptronRule: expected inputs with {InFeatures} features (last dimension), got shape {inputs.Shape}");
    }
}
