using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// Which parts of an input a network's decision rests on: gradient-based attributions (saliency, gradient ×
/// input, SmoothGrad, integrated gradients) and occlusion. Each explains the model's score for a class — its
/// output for that class, the logit of a network ending in a Linear layer — and returns a map of the input's
/// shape, for a batch [N, ...] or one sample (as the model's first layer takes it: a Conv2d [N, C, H, W] or
/// [C, H, W], a Linear [N, F] or [F]). The model runs in evaluation mode with its parameters frozen and is
/// left as found (training flags, <see cref="Tensor.RequiresGrad"/>, no gradient added to any parameter).
/// </summary>
public static class Attribution
{
    // Rows per forward/backward pass when a method evaluates many copies of a sample (SmoothGrad's noisy
    // copies, integrated gradients' interpolants, occlusion's masked copies): one batched pass instead of one
    // per copy, in chunks so memory stays bounded.
    internal const int RowsPerPass = 256;

    /// <summary>
    /// The signed gradient of the class score with respect to the input, ∂S_c/∂x (Simonyan, Vedaldi &amp;
    /// Zisserman 2013, "Deep Inside Convolutional Networks"): <see cref="Saliency"/> without the absolute value.
    /// </summary>
    public static Tensor Gradient(Module model, Tensor input, TargetClass target)
    {
        const string op = "Attribution.Gradient";
        var (batch, single) = Probe.AsBatch(model, input, op);
        using var probe = Probe.Open(model, grad: true);
        return Shape(InputGradient(model, batch, target, op, out _), single);
    }

    /// <summary>
    /// The saliency map |∂S_c/∂x| of Simonyan, Vedaldi &amp; Zisserman (2013), "Deep Inside Convolutional
    /// Networks: Visualising Image Classification Models and Saliency Maps": how much a small change of each
    /// input element moves the score of class <paramref name="target"/>. One value per input element (the paper
    /// then takes the maximum over colour channels; for a grey image they are the same).
    /// </summary>
    public static Tensor Saliency(Module model, Tensor input, TargetClass target)
    {
        const string op = "Attribution.Saliency";
        var (batch, single) = Probe.AsBatch(model, input, op);
        using var probe = Probe.Open(model, grad: true);
        return Shape(InputGradient(model, batch, target, op, out _).Abs(), single);
    }

    /// <summary>
    /// Gradient × input, x ⊙ ∂S_c/∂x (Shrikumar et al. 2016, "Not Just a Black Box"; for a network of ReLUs it
    /// is the first-order Taylor term of the score). Signed.
    /// </summary>
    public static Tensor GradientTimesInput(Module model, Tensor input, TargetClass target)
    {
        const string op = "Attribution.GradientTimesInput";
        var (batch, single) = Probe.AsBatch(model, input, op);
        using var probe = Probe.Open(model, grad: true);
        return Shape(InputGradient(model, batch, target, op, out _) * batch.Detach(), single);
    }

    /// <summary>
    /// SmoothGrad (Smilkov et al. 2017, "SmoothGrad: removing noise by adding noise"): the gradient ∂S_c/∂x
    /// averaged over <paramref name="samples"/> copies of the input with Gaussian noise of standard deviation
    /// <paramref name="sigma"/> added (the paper finds 10–20% of the input's range best: 0.1–0.2 for images
    /// in [0, 1]). Signed; take its absolute value for a saliency picture. The noise comes from a generator
    /// seeded with <paramref name="seed"/>, so a call is reproducible; the copies go through the model in
    /// batches.
    /// </summary>
    public static Tensor SmoothGrad(Module model, Tensor input, TargetClass target, int samples = 50, float sigma = 0.15f, int seed = 0)
    {
        const string op = "Attribution.SmoothGrad";
        if (samples < 1) throw new ArgumentOutOfRangeException(nameof(samples), $"{op}: samples must be at least 1, got {samples}");
        Probe.CheckFinite(sigma, nameof(sigma), op);
        if (sigma < 0) throw new ArgumentOutOfRangeException(nameof(sigma), $"{op}: sigma must not be negative, got {sigma}");
        var (batch, single) = Probe.AsBatch(model, input, op);
        int n = batch.Shape[0];
        int[] targets;
        using (var check = Probe.Open(model, grad: false)) targets = target.Resolve(n, Probe.Classes(model, batch, op), op);
        var x = batch.ToArray();
        int size = x.Length / n;
        var generator = new Generator((ulong)seed);
        var sum = new double[x.Length];
        using var probe = Probe.Open(model, grad: true);
        Batched(model, batch, n * samples, targets, op, (row, sampleData) =>
        {
            int i = row / samples;
            for (int j = 0; j < size; j++) sampleData[j] = x[i * size + j] + sigma * generator.NextNormal();
            return i;
        }, (i, gradient) =>
        {
            for (int j = 0; j < size; j++) sum[i * size + j] += gradient[j];
        });
        return Shape(FromSums(sum, 1.0 / samples, batch.Shape), single);
    }

    /// <summary>
    /// Integrated gradients (Sundararajan, Taly &amp; Yan 2017, "Axiomatic Attribution for Deep Networks"):
    /// (x − x′) ⊙ ∫₀¹ ∂S_c/∂x (x′ + α(x − x′)) dα, with the integral taken by the midpoint rule over
    /// <paramref name="steps"/> points α = (k + ½)/steps. The attributions sum to S_c(x) − S_c(x′) (completeness)
    /// up to the rule's error, which shrinks as steps grows. <paramref name="baseline"/> x′ is zero by default
    /// (a black image); it has the input's shape or one sample's. The interpolants go through the model in
    /// batches, one forward and one backward pass per batch, not one per step.
    /// </summary>
    public static Tensor IntegratedGradients(Module model, Tensor input, TargetClass target, Tensor? baseline = null, int steps = 64)
    {
        const string op = "Attribution.IntegratedGradients";
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), $"{op}: steps must be at least 1, got {steps}");
        var (batch, single) = Probe.AsBatch(model, input, op);
        int n = batch.Shape[0];
        var x = batch.ToArray();
        int size = x.Length / n;
        var b = Baseline(baseline, batch, single, op);
        int[] targets;
        using (var check = Probe.Open(model, grad: false)) targets = target.Resolve(n, Probe.Classes(model, batch, op), op);
        var sum = new double[x.Length];
        using var probe = Probe.Open(model, grad: true);
        Batched(model, batch, n * steps, targets, op, (row, sampleData) =>
        {
            int i = row / steps;
            float alpha = (row % steps + 0.5f) / steps;
            int bOffset = b.Length == size ? 0 : i * size;
            for (int j = 0; j < size; j++)
            {
                float start = b[bOffset + j];
                sampleData[j] = start + alpha * (x[i * size + j] - start);
            }
            return i;
        }, (i, gradient) =>
        {
            for (int j = 0; j < size; j++) sum[i * size + j] += gradient[j];
        });
        for (int i = 0; i < n; i++)
        {
            int bOffset = b.Length == size ? 0 : i * size;
            for (int j = 0; j < size; j++) sum[i * size + j] *= x[i * size + j] - b[bOffset + j];
        }
        return Shape(FromSums(sum, 1.0 / steps, batch.Shape), single);
    }

    /// <summary>
    /// Occlusion (Zeiler &amp; Fergus 2014, "Visualizing and Understanding Convolutional Networks"): a
    /// <paramref name="window"/> × <paramref name="window"/> patch set to <paramref name="fill"/> (across all
    /// channels) slides over the last two dimensions of each sample in steps of <paramref name="stride"/>; each
    /// element's attribution is the drop of the class score, S_c(x) − S_c(x with the patch), averaged over the
    /// patches that cover it (0 where none does). A sample of one dimension [F] is occluded in runs of
    /// <paramref name="window"/> features. No gradients: the occluded copies go through the model in batches.
    /// </summary>
    public static Tensor Occlusion(Module model, Tensor input, TargetClass target, int window, int stride, float fill = 0)
    {
        const string op = "Attribution.Occlusion";
        Probe.CheckFinite(fill, nameof(fill), op);
        if (stride < 1) throw new ArgumentOutOfRangeException(nameof(stride), $"{op}: stride must be at least 1, got {stride}");
        var (batch, single) = Probe.AsBatch(model, input, op);
        int n = batch.Shape[0];
        int h = batch.Rank >= 3 ? batch.Shape[-2] : 1, w = batch.Shape[-1];
        int wh = batch.Rank >= 3 ? window : 1;
        if (window < 1 || wh > h || window > w)
            throw new ArgumentOutOfRangeException(nameof(window),
                $"{op}: window {window} does not fit a sample whose last dimensions are {(batch.Rank >= 3 ? $"{h}×{w}" : $"{w}")}");
        var x = batch.ToArray();
        int size = x.Length / n, planes = size / (h * w);
        int rows = (h - wh) / stride + 1, cols = (w - window) / stride + 1, patches = rows * cols;
        using var probe = Probe.Open(model, grad: false);
        var clean = Probe.Scores(model, batch, op);
        var targets = target.Resolve(n, clean.Shape[1], op);
        var cleanScore = Probe.Pick(clean, targets).ToArray();
        var sum = new double[x.Length];
        var count = new int[h * w];
        for (int p = 0; p < patches; p++)
            for (int y = p / cols * stride; y < p / cols * stride + wh; y++)
                for (int xx = p % cols * stride; xx < p % cols * stride + window; xx++) count[y * w + xx]++;
        var sample = batch.Shape.ToArray()[1..];
        for (int start = 0; start < n * patches; start += RowsPerPass)
        {
            int chunk = Math.Min(RowsPerPass, n * patches - start);
            var data = new float[chunk * size];
            for (int r = 0; r < chunk; r++)
            {
                int i = (start + r) / patches, p = (start + r) % patches;
                Array.Copy(x, i * size, data, r * size, size);
                for (int c = 0; c < planes; c++)
                    for (int y = p / cols * stride; y < p / cols * stride + wh; y++)
                        data.AsSpan(r * size + c * h * w + y * w + p % cols * stride, window).Fill(fill);
            }
            var scores = Probe.Pick(Probe.Scores(model, Tensor.FromArray(data, [chunk, .. sample]), op),
                Enumerable.Range(start, chunk).Select(row => targets[row / patches]).ToArray()).ToArray();
            for (int r = 0; r < chunk; r++)
            {
                int i = (start + r) / patches, p = (start + r) % patches;
                double drop = cleanScore[i] - scores[r];
                for (int c = 0; c < planes; c++)
                    for (int y = p / cols * stride; y < p / cols * stride + wh; y++)
                        for (int xx = p % cols * stride; xx < p % cols * stride + window; xx++)
                            sum[i * size + c * h * w + y * w + xx] += drop;
            }
        }
        for (int k = 0; k < sum.Length; k++)
        {
            int c = count[k % (h * w)];
            sum[k] = c == 0 ? 0 : sum[k] / c;
        }
        return Shape(FromSums(sum, 1.0, batch.Shape), single);
    }

    /// <summary>∂(Σᵢ S_{targets[i]}(xᵢ))/∂x for a batch: each sample's gradient of its own class score (samples do not interact in evaluation mode).</summary>
    internal static Tensor InputGradient(Module model, Tensor batch, TargetClass target, string op, out Tensor scores)
    {
        var x = batch.Detach().Clone().RequiresGrad_();
        scores = Probe.Scores(model, x, op);
        var targets = target.Resolve(batch.Shape[0], scores.Shape[1], op);
        Probe.Pick(scores, targets).Sum().Backward();
        return x.Grad!;
    }

    /// <summary>
    /// Runs <paramref name="rows"/> made-up samples through the model in chunks of <see cref="RowsPerPass"/>:
    /// <paramref name="fill"/>(row, data) writes row's sample and returns the batch index whose class it
    /// explains; <paramref name="take"/>(index, gradient) receives the gradient of that class's score.
    /// </summary>
    private static void Batched(Module model, Tensor batch, int rows, int[] targets, string op,
        Func<int, Span<float>, int> fill, Action<int, ReadOnlySpan<float>> take)
    {
        var sample = batch.Shape.ToArray()[1..];
        int size = batch.Numel / batch.Shape[0];
        for (int start = 0; start < rows; start += RowsPerPass)
        {
            int chunk = Math.Min(RowsPerPass, rows - start);
            var data = new float[chunk * size];
            var owners = new int[chunk];
            for (int r = 0; r < chunk; r++) owners[r] = fill(start + r, data.AsSpan(r * size, size));
            var gradient = InputGradient(model, Tensor.FromArray(data, [chunk, .. sample]), owners.Select(o => targets[o]).ToArray(), op, out _)
                .ToArray();
            for (int r = 0; r < chunk; r++) take(owners[r], gradient.AsSpan(r * size, size));
        }
    }

    private static float[] Baseline(Tensor? baseline, Tensor batch, bool single, string op)
    {
        int size = batch.Numel / batch.Shape[0];
        if (baseline is null) return new float[size];
        var sampleShape = batch.Shape.ToArray()[1..];
        bool oneSample = baseline.Shape.ToArray().SequenceEqual(sampleShape);
        if (!oneSample && !(baseline.Shape == batch.Shape && !single))
            throw new ArgumentException(
                $"{op}: the baseline has shape {baseline.Shape}; it must have the input's shape {batch.Shape} or one sample's [{string.Join(", ", sampleShape)}]");
        var values = baseline.ToArray();
        foreach (float v in values)
            if (!float.IsFinite(v)) throw new ArgumentException($"{op}: the baseline holds NaN or infinity");
        return values;
    }

    private static Tensor FromSums(double[] sums, double scale, Shape shape)
    {
        var data = new float[sums.Length];
        for (int k = 0; k < data.Length; k++) data[k] = (float)(sums[k] * scale);
        return Tensor.FromArray(data, shape.ToArray());
    }

    /// <summary>A batch result as the caller gave the input: without the batch dimension for one sample.</summary>
    internal static Tensor Shape(Tensor result, bool single) => single ? result.Squeeze(0) : result;
}
