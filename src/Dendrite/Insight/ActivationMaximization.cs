using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>Settings of <see cref="ActivationMaximization"/>; the defaults suit 28×28 digits in [0, 1].</summary>
public sealed record ActivationMaximizationOptions
{
    /// <summary>Gradient-ascent steps (default 200).</summary>
    public int Steps { get; init; } = 200;

    /// <summary>Step size: each step moves the input by this times the gradient divided by its mean absolute value (default 0.05).</summary>
    public float LearningRate { get; init; } = 0.05f;

    /// <summary>
    /// L2 decay: after each step the input is multiplied by (1 − decay), pulling pixels the objective does not
    /// need to 0 (default 0.05: on a LeNet-5 for digits, 0.01 leaves a cluttered background).
    /// </summary>
    public float L2Decay { get; init; } = 0.05f;

    /// <summary>Jitter: each step looks at the input shifted by up to this many pixels in each direction (default 1; 0 turns it off).</summary>
    public int Jitter { get; init; } = 1;

    /// <summary>A Gaussian blur of the input every this many steps (default 4; 0 turns it off).</summary>
    public int BlurEvery { get; init; } = 4;

    /// <summary>The blur's standard deviation in pixels (default 0.5).</summary>
    public float BlurSigma { get; init; } = 0.5f;

    /// <summary>The valid input range; every step clamps to it (default [0, 1]).</summary>
    public float Min { get; init; }

    /// <inheritdoc cref="Min"/>
    public float Max { get; init; } = 1;

    /// <summary>Seeds the starting noise and the jitter (default 0): a call is reproducible.</summary>
    public int Seed { get; init; }
}

/// <summary>
/// Activation maximisation: the input a network responds to most, synthesised by gradient ascent on the input
/// (Erhan, Bengio, Courville &amp; Vincent 2009, "Visualizing Higher-Layer Features of a Deep Network"; with
/// the regularisers of Yosinski et al. 2015, "Understanding Neural Networks Through Deep Visualization" — L2
/// decay, periodic blur — and the small random shifts, "transformation robustness", of Olah, Mordvintsev &amp;
/// Schubert 2017, "Feature Visualization"). Starting from faint noise, each step shifts the input by a random
/// jitter, takes the gradient of the objective, shifts it back, moves the input along it (normalised by its
/// mean absolute value), decays it, blurs it every few steps and clamps it to the valid range. The model runs
/// in evaluation mode with its parameters frozen and is left as found.
/// </summary>
public static class ActivationMaximization
{
    /// <summary>
    /// The input of shape <paramref name="inputShape"/> (one sample, e.g. [1, 28, 28]) that maximises the
    /// model's score for class <paramref name="classIndex"/> (its logit, not the softmax probability, which
    /// could also rise by lowering the other classes).
    /// </summary>
    public static Tensor ForClass(Module model, int[] inputShape, int classIndex, ActivationMaximizationOptions? options = null)
    {
        const string op = "ActivationMaximization.ForClass";
        var (o, shape) = Check(model, inputShape, options, op);
        using var probe = Probe.Open(model, grad: true);
        int classes = Probe.Classes(model, Tensor.Zeros(shape), op);
        Probe.CheckClass(classIndex, classes, op, "classIndex");
        return Ascend(model, shape, o, x => Probe.Scores(model, x, op).Narrow(1, classIndex, 1).Sum());
    }

    /// <summary>
    /// The input that maximises the mean activation of channel <paramref name="channel"/> of
    /// <paramref name="layer"/> (a module of <paramref name="model"/>): over the feature map of a layer with
    /// [N, C, H, W] output, or the one unit of a [N, F] output.
    /// </summary>
    public static Tensor ForChannel(Module model, Module layer, int channel, int[] inputShape, ActivationMaximizationOptions? options = null)
    {
        const string op = "ActivationMaximization.ForChannel";
        ArgumentNullException.ThrowIfNull(layer);
        var (o, shape) = Check(model, inputShape, options, op);
        if (!model.NamedModules().Any(m => ReferenceEquals(m.Module, layer)))
            throw new ArgumentException($"{op}: the layer {layer.GetType().Name} is not a module of this model");
        using var probe = Probe.Open(model, grad: true);
        Tensor? seen = null;
        using var hook = layer.RegisterForwardHook((_, _, output) =>
        {
            seen = output;
            return null;
        });
        Tensor Objective(Tensor x)
        {
            seen = null;
            model.Call(x);
            var output = seen ?? throw new InvalidOperationException(
                $"{op}: the layer {layer.GetType().Name} did not run; a custom module must call its children through Call");
            if (output.Rank < 2 || channel < 0 || channel >= output.Shape[1])
                throw new ArgumentOutOfRangeException(nameof(channel),
                    $"{op}: channel {channel} is out of range for the layer's output of shape {output.Shape}");
            return output.Narrow(1, channel, 1).Mean();
        }
        return Ascend(model, shape, o, Objective);
    }

    private static (ActivationMaximizationOptions Options, int[] Shape) Check(Module model, int[] inputShape,
        ActivationMaximizationOptions? options, string op)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(inputShape);
        var o = options ?? new ActivationMaximizationOptions();
        if (o.Steps < 1) throw new ArgumentOutOfRangeException(nameof(options), $"{op}: Steps must be at least 1, got {o.Steps}");
        if (!(o.LearningRate > 0) || !float.IsFinite(o.LearningRate))
            throw new ArgumentOutOfRangeException(nameof(options), $"{op}: LearningRate must be a positive number, got {o.LearningRate}");
        if (!(o.L2Decay is >= 0 and < 1))
            throw new ArgumentOutOfRangeException(nameof(options), $"{op}: L2Decay must be in [0, 1), got {o.L2Decay}");
        if (o.Jitter < 0 || o.BlurEvery < 0 || !(o.BlurSigma > 0) || !float.IsFinite(o.BlurSigma))
            throw new ArgumentOutOfRangeException(nameof(options),
                $"{op}: Jitter and BlurEvery must not be negative and BlurSigma must be positive (got {o.Jitter}, {o.BlurEvery}, {o.BlurSigma})");
        if (!(o.Min < o.Max) || !float.IsFinite(o.Min) || !float.IsFinite(o.Max))
            throw new ArgumentException($"{op}: the valid range [Min, Max] = [{o.Min}, {o.Max}] must be finite with Min < Max");
        if (inputShape.Length == 0 || inputShape.Any(d => d < 1))
            throw new ArgumentException($"{op}: the input shape [{string.Join(", ", inputShape)}] is not the shape of one sample");
        int[] shape = [1, .. inputShape];
        Probe.AsBatch(model, Tensor.Zeros(shape), op); // the model's first layer checks the sample's shape
        return (o, shape);
    }

    /// <summary>The ascent loop on a batch of one; returns the sample without its batch dimension.</summary>
    private static Tensor Ascend(Module model, int[] shape, ActivationMaximizationOptions o, Func<Tensor, Tensor> objective)
    {
        var generator = new Generator((ulong)o.Seed);
        int size = shape.Aggregate(1, (a, b) => a * b);
        int h = shape.Length >= 3 ? shape[^2] : 1, w = shape[^1];
        float range = o.Max - o.Min;
        var x = new float[size];
        for (int k = 0; k < size; k++) x[k] = o.Min + 0.1f * range * generator.NextFloat();
        for (int step = 0; step < o.Steps; step++)
        {
            int dy = h > 1 ? Shift(generator, o.Jitter) : 0, dx = Shift(generator, o.Jitter);
            var input = Tensor.FromArray(Roll(x, h, w, dy, dx), shape).RequiresGrad_();
            objective(input).Backward();
            var gradient = Roll(input.Grad!.ToArray(), h, w, -dy, -dx);
            double meanAbs = 0;
            foreach (float g in gradient) meanAbs += Math.Abs(g);
            meanAbs /= size;
            float scale = meanAbs > 0 ? (float)(o.LearningRate * range / meanAbs) : 0;
            for (int k = 0; k < size; k++) x[k] = (x[k] + scale * gradient[k]) * (1 - o.L2Decay);
            if (o.BlurEvery > 0 && (step + 1) % o.BlurEvery == 0) Blur(x, h, w, o.BlurSigma);
            for (int k = 0; k < size; k++) x[k] = Math.Clamp(x[k], o.Min, o.Max);
        }
        return Tensor.FromArray(x, shape[1..]);
    }

    private static int Shift(Generator generator, int jitter) => jitter == 0 ? 0 : (int)(generator.NextUInt64() % (ulong)(2 * jitter + 1)) - jitter;

    /// <summary>Each h×w plane shifted cyclically by (dy, dx).</summary>
    private static float[] Roll(float[] x, int h, int w, int dy, int dx)
    {
        if (dy == 0 && dx == 0) return (float[])x.Clone();
        var result = new float[x.Length];
        for (int plane = 0; plane < x.Length; plane += h * w)
            for (int y = 0; y < h; y++)
                for (int c = 0; c < w; c++)
                    result[plane + ((y + dy) % h + h) % h * w + ((c + dx) % w + w) % w] = x[plane + y * w + c];
        return result;
    }

    /// <summary>A separable Gaussian blur of each h×w plane in place, with the edges clamped.</summary>
    private static void Blur(float[] x, int h, int w, float sigma)
    {
        int radius = Math.Max(1, (int)MathF.Ceiling(2 * sigma));
        var kernel = new float[2 * radius + 1];
        float total = 0;
        for (int i = -radius; i <= radius; i++) total += kernel[i + radius] = MathF.Exp(-i * i / (2 * sigma * sigma));
        for (int i = 0; i < kernel.Length; i++) kernel[i] /= total;
        var line = new float[Math.Max(h, w)];
        for (int plane = 0; plane < x.Length; plane += h * w)
        {
            for (int y = 0; y < h; y++)
            {
                for (int c = 0; c < w; c++)
                {
                    float s = 0;
                    for (int i = -radius; i <= radius; i++) s += kernel[i + radius] * x[plane + y * w + Math.Clamp(c + i, 0, w - 1)];
                    line[c] = s;
                }
                line.AsSpan(0, w).CopyTo(x.AsSpan(plane + y * w, w));
            }
            if (h == 1) continue;
            for (int c = 0; c < w; c++)
            {
                for (int y = 0; y < h; y++)
                {
                    float s = 0;
                    for (int i = -radius; i <= radius; i++) s += kernel[i + radius] * x[plane + Math.Clamp(y + i, 0, h - 1) * w + c];
                    line[y] = s;
                }
                for (int y = 0; y < h; y++) x[plane + y * w + c] = line[y];
            }
        }
    }
}
