using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>The norm whose ball bounds a <see cref="Adversarial.Pgd"/> perturbation.</summary>
public enum PgdNorm
{
    /// <summary>‖δ‖∞ ≤ ε: no element moves by more than ε (steps follow the gradient's sign).</summary>
    LInf,

    /// <summary>‖δ‖₂ ≤ ε per sample (steps follow the gradient's direction).</summary>
    L2,
}

/// <summary>
/// Adversarial examples: inputs changed by a small, deliberately chosen perturbation that changes the model's
/// answer. The attacks raise the cross-entropy of the true labels (or, targeted, lower that of chosen classes)
/// by following the gradient with respect to the input, and keep every element in [min, max] (the valid pixel
/// range, [0, 1] by default). Inputs are a batch or one sample (as the model's first layer takes it), labels
/// class indices [N]. The model runs in evaluation mode with its parameters frozen and is left as found.
/// </summary>
public static class Adversarial
{
    /// <summary>
    /// The fast gradient sign method of Goodfellow, Shlens &amp; Szegedy (2014), "Explaining and Harnessing
    /// Adversarial Examples": x′ = clamp(x + ε · sign(∇ₓ L(f(x), y)), min, max), one gradient step of size ε in
    /// the L∞ ball, with L the cross-entropy of the logits against <paramref name="labels"/>.
    /// </summary>
    public static Tensor Fgsm(Module model, Tensor input, Tensor labels, float epsilon, float min = 0, float max = 1)
    {
        const string op = "Adversarial.Fgsm";
        CheckEpsilon(epsilon, op);
        CheckRange(min, max, op);
        var (batch, single) = Probe.AsBatch(model, input, op);
        using var probe = Probe.Open(model, grad: true);
        var gradient = LossGradient(model, batch, labels, op, targeted: false).ToArray();
        var x = batch.ToArray();
        for (int k = 0; k < x.Length; k++) x[k] = Math.Clamp(x[k] + epsilon * MathF.Sign(gradient[k]), min, max);
        return Attribution.Shape(Tensor.FromArray(x, batch.Shape.ToArray()), single);
    }

    /// <summary>
    /// Projected gradient descent, the attack of Madry et al. (2017), "Towards Deep Learning Models Resistant to
    /// Adversarial Attacks": <paramref name="steps"/> steps of size <paramref name="stepSize"/> up the loss (the
    /// gradient's sign for L∞, its per-sample unit direction for L2), each followed by projection back onto the
    /// ε-ball around the input and clamping to [<paramref name="min"/>, <paramref name="max"/>]. With
    /// <paramref name="randomStart"/> it starts from a random point of the ball (uniform per element for L∞; a
    /// random direction at a uniform radius for L2), drawn from a generator seeded with <paramref name="seed"/>.
    /// Untargeted it raises the cross-entropy of <paramref name="labels"/>; with <paramref name="targets"/>
    /// (class indices [N]) it lowers the cross-entropy of those classes instead, pulling each input towards its
    /// target, and <paramref name="labels"/> are only checked. Madry et al. take stepSize ≈ 2.5ε/steps.
    /// </summary>
    public static Tensor Pgd(Module model, Tensor input, Tensor labels, float epsilon, int steps, float stepSize,
        PgdNorm norm = PgdNorm.LInf, bool randomStart = true, int seed = 0, Tensor? targets = null, float min = 0, float max = 1)
    {
        const string op = "Adversarial.Pgd";
        CheckEpsilon(epsilon, op);
        CheckRange(min, max, op);
        if (steps < 0) throw new ArgumentOutOfRangeException(nameof(steps), $"{op}: steps must not be negative, got {steps}");
        Probe.CheckFinite(stepSize, nameof(stepSize), op);
        if (stepSize < 0) throw new ArgumentOutOfRangeException(nameof(stepSize), $"{op}: stepSize must not be negative, got {stepSize}");
        if (!Enum.IsDefined(norm)) throw new ArgumentOutOfRangeException(nameof(norm), $"{op}: unknown norm {norm}");
        var (batch, single) = Probe.AsBatch(model, input, op);
        int n = batch.Shape[0];
        var x0 = batch.ToArray();
        int size = x0.Length / n;
        var x = (float[])x0.Clone();
        using var probe = Probe.Open(model, grad: true);
        int classes = Probe.Classes(model, batch, op);
        Probe.Labels(labels, n, classes, op);
        var goal = targets is null ? labels : targets;
        if (targets is not null) Probe.Labels(targets, n, classes, op, "targets");
        if (randomStart && epsilon > 0)
        {
            var generator = new Generator((ulong)seed);
            if (norm == PgdNorm.LInf)
                for (int k = 0; k < x.Length; k++) x[k] += epsilon * (2 * generator.NextFloat() - 1);
            else
                for (int i = 0; i < n; i++)
                {
                    var delta = x.AsSpan(i * size, size);
                    var direction = new float[size];
                    for (int j = 0; j < size; j++) direction[j] = generator.NextNormal();
                    double length = Norm(direction);
                    float radius = epsilon * generator.NextFloat();
                    for (int j = 0; j < size; j++) delta[j] += (float)(radius * direction[j] / Math.Max(length, 1e-12));
                }
            Project(x, x0, n, epsilon, norm, min, max);
        }
        var shape = batch.Shape.ToArray();
        for (int step = 0; step < steps; step++)
        {
            var gradient = LossGradient(model, Tensor.FromArray(x, shape), goal, op, targeted: targets is not null).ToArray();
            float direction = targets is null ? 1 : -1;
            if (norm == PgdNorm.LInf)
                for (int k = 0; k < x.Length; k++) x[k] += direction * stepSize * MathF.Sign(gradient[k]);
            else
                for (int i = 0; i < n; i++)
                {
                    var g = gradient.AsSpan(i * size, size);
                    double length = Norm(g);
                    if (length == 0) continue;
                    for (int j = 0; j < size; j++) x[i * size + j] += (float)(direction * stepSize * g[j] / length);
                }
            Project(x, x0, n, epsilon, norm, min, max);
        }
        return Attribution.Shape(Tensor.FromArray(x, shape), single);
    }

    /// <summary>
    /// Accuracy against perturbation size: for each ε, the fraction of <paramref name="inputs"/> still classified
    /// as <paramref name="labels"/> after <paramref name="attack"/> (ε = 0 gives the clean accuracy). The inputs
    /// go through the attack in batches of <paramref name="batchSize"/>.
    /// </summary>
    public static IReadOnlyList<(float Epsilon, float Accuracy)> RobustnessCurve(Module model, Tensor inputs, Tensor labels,
        IEnumerable<float> epsilons, AdversarialAttack attack, int batchSize = 256)
    {
        const string op = "Adversarial.RobustnessCurve";
        ArgumentNullException.ThrowIfNull(epsilons);
        ArgumentNullException.ThrowIfNull(attack);
        if (batchSize < 1) throw new ArgumentOutOfRangeException(nameof(batchSize), $"{op}: batchSize must be at least 1, got {batchSize}");
        var eps = epsilons.ToArray();
        foreach (float e in eps) CheckEpsilon(e, op);
        var (batch, _) = Probe.AsBatch(model, inputs, op);
        int n = batch.Shape[0];
        var truth = Probe.Labels(labels, n, Probe.Classes(model, batch, op), op);
        var curve = new List<(float, float)>();
        foreach (float e in eps)
        {
            int correct = 0;
            for (int start = 0; start < n; start += batchSize)
            {
                int chunk = Math.Min(batchSize, n - start);
                var x = batch.Narrow(0, start, chunk);
                var y = labels.Reshape(n).Narrow(0, start, chunk);
                var adversarial = e == 0 ? x : attack.Apply(model, x, y, e);
                correct += Predictions(model, adversarial).Where((p, i) => p == truth[start + i]).Count();
            }
            curve.Add((e, (float)correct / n));
        }
        return curve;
    }

    /// <summary>The predicted class of each sample of a batch (evaluation mode, no graph).</summary>
    public static int[] Predictions(Module model, Tensor batch)
    {
        const string op = "Adversarial.Predictions";
        var (b, _) = Probe.AsBatch(model, batch, op);
        using var probe = Probe.Open(model, grad: false);
        return Probe.Scores(model, b, op).ArgMax(1).ToArray().Select(v => (int)v).ToArray();
    }

    /// <summary>∇ₓ of the summed cross-entropy of the batch's logits against <paramref name="classes"/>.</summary>
    private static Tensor LossGradient(Module model, Tensor batch, Tensor classes, string op, bool targeted)
    {
        var x = batch.Detach().Clone().RequiresGrad_();
        var scores = Probe.Scores(model, x, op);
        int n = batch.Shape[0];
        Probe.Labels(classes, n, scores.Shape[1], op, targeted ? "targets" : "labels");
        // The sum, not the mean: each sample's gradient is then its own loss's, whatever the batch size.
        Functional.CrossEntropy(scores, classes.Reshape(n), reduction: Reduction.Sum).Backward();
        return x.Grad!;
    }

    private static void Project(float[] x, float[] x0, int n, float epsilon, PgdNorm norm, float min, float max)
    {
        int size = x.Length / n;
        if (norm == PgdNorm.L2)
            for (int i = 0; i < n; i++)
            {
                var delta = new float[size];
                for (int j = 0; j < size; j++) delta[j] = x[i * size + j] - x0[i * size + j];
                double length = Norm(delta);
                if (length <= epsilon) continue;
                float scale = (float)(epsilon / length);
                for (int j = 0; j < size; j++) x[i * size + j] = x0[i * size + j] + delta[j] * scale;
            }
        for (int k = 0; k < x.Length; k++)
        {
            if (norm == PgdNorm.LInf) x[k] = Math.Clamp(x[k], x0[k] - epsilon, x0[k] + epsilon);
            x[k] = Math.Clamp(x[k], min, max);
        }
    }

    private static double Norm(ReadOnlySpan<float> v)
    {
        double sum = 0;
        foreach (float a in v) sum += (double)a * a;
        return Math.Sqrt(sum);
    }

    internal static void CheckEpsilon(float epsilon, string op)
    {
        if (!(epsilon >= 0) || float.IsInfinity(epsilon))
            throw new ArgumentOutOfRangeException(nameof(epsilon), $"{op}: epsilon must be a finite number ≥ 0, got {epsilon}");
    }

    private static void CheckRange(float min, float max, string op)
    {
        if (!(min <= max) || !float.IsFinite(min) || !float.IsFinite(max))
            throw new ArgumentException($"{op}: the valid range [min, max] = [{min}, {max}] is not a range of finite numbers with min ≤ max");
    }
}
