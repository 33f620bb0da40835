using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>
/// What every Insight method shares: it runs the model in evaluation mode with its parameters frozen (so only
/// the input gets a gradient) and, when disposed, leaves it exactly as found — each module's training flag,
/// each parameter's <see cref="Tensor.RequiresGrad"/> and gradient untouched. Also the checks of inputs,
/// targets and labels, each failing with one sentence that names the method.
/// </summary>
internal sealed class Probe : IDisposable
{
    private readonly List<(Module Module, bool Training)> modes = [];
    private readonly List<(Parameter Parameter, bool RequiresGrad)> flags = [];
    private readonly GradMode.Scope gradMode;

    private Probe(Module model, bool grad)
    {
        foreach (var (_, m) in model.NamedModules()) modes.Add((m, m.Training));
        foreach (var p in model.Parameters()) flags.Add((p, p.RequiresGrad));
        model.Eval();
        foreach (var (p, _) in flags) p.RequiresGrad = false;
        gradMode = grad ? GradMode.EnableGrad() : GradMode.NoGrad();
    }

    /// <summary>Freezes <paramref name="model"/> in evaluation mode; <paramref name="grad"/>: record a graph (for input gradients).</summary>
    public static Probe Open(Module model, bool grad)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new Probe(model, grad);
    }

    public void Dispose()
    {
        gradMode.Dispose();
        foreach (var (p, requiresGrad) in flags) p.RequiresGrad = requiresGrad;
        // Pre-order: Train(mode) sets a whole subtree, and each descendant then gets its own flag back.
        foreach (var (m, training) in modes) m.Train(training);
    }

    /// <summary>
    /// The input as a batch, and whether it was one sample. The model's first layer decides: a Conv2d takes
    /// [N, C, H, W] or one [C, H, W]; a Linear [N, F] or one [F]; any other model is given the input as a batch.
    /// </summary>
    public static (Tensor Batch, bool Single) AsBatch(Module model, Tensor input, string op)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(input);
        var first = model.NamedModules().Select(m => m.Module).FirstOrDefault(m => !m.NamedChildren().Any());
        (Tensor, bool) result = first switch
        {
            Conv2d conv when input.Rank == 3 && input.Shape[0] == conv.InChannels => (input.Unsqueeze(0), true),
            Conv2d conv when input.Rank == 4 && input.Shape[1] == conv.InChannels => (input, false),
            Conv2d conv => throw new ArgumentException(
                $"{op}: the model's first layer is a Conv2d with {conv.InChannels} input channel(s), so it takes a batch " +
                $"[N, {conv.InChannels}, H, W] or one sample [{conv.InChannels}, H, W]; got shape {input.Shape}"),
            Linear linear when input.Rank == 1 && input.Shape[0] == linear.InFeatures => (input.Unsqueeze(0), true),
            Linear linear when input.Rank == 2 && input.Shape[1] == linear.InFeatures => (input, false),
            Linear linear => throw new ArgumentException(
                $"{op}: the model's first layer is a Linear with {linear.InFeatures} input features, so it takes a batch " +
                $"[N, {linear.InFeatures}] or one sample [{linear.InFeatures}]; got shape {input.Shape}"),
            _ when input.Rank >= 1 => (input, false),
            _ => throw new ArgumentException($"{op}: the input is a scalar; give a batch [N, ...] of samples"),
        };
        var (batch, single) = result;
        if (batch.Shape[0] == 0) throw new ArgumentException($"{op}: the input batch is empty (shape {input.Shape})");
        foreach (float v in batch.ToArray())
            if (!float.IsFinite(v)) throw new ArgumentException($"{op}: the input holds NaN or infinity");
        return (batch, single);
    }

    /// <summary>Runs the model on <paramref name="batch"/> and checks that it returned class scores [N, classes].</summary>
    public static Tensor Scores(Module model, Tensor batch, string op)
    {
        var scores = model.Call(batch);
        if (scores.Rank != 2 || scores.Shape[0] != batch.Shape[0])
            throw new ArgumentException(
                $"{op}: the model returned shape {scores.Shape} for a batch of {batch.Shape[0]}; it needs class scores [N, classes]");
        return scores;
    }

    /// <summary>One class index per sample: <paramref name="target"/> for all of them, checked against the class count.</summary>
    public static int[] Targets(int target, int n, int classes, string op)
    {
        CheckClass(target, classes, op, "target");
        return Enumerable.Repeat(target, n).ToArray();
    }

    /// <summary>
    /// One class index per sample from a tensor of labels: shape [N] (or a scalar / [1] for one sample), whole
    /// numbers in [0, classes).
    /// </summary>
    public static int[] Labels(Tensor labels, int n, int classes, string op, string what = "labels")
    {
        ArgumentNullException.ThrowIfNull(labels, what);
        if (!(labels.Rank == 1 && labels.Shape[0] == n) && !(n == 1 && labels.Numel == 1 && labels.Rank <= 1))
            throw new ArgumentException($"{op}: {what} must have shape [{n}], one class per sample; got shape {labels.Shape}");
        var values = labels.ToArray();
        var result = new int[n];
        for (int i = 0; i < n; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v) || v < 0 || v >= classes)
                throw new ArgumentException($"{op}: {what}[{i}] = {v} is not a class of a model with {classes} outputs (0 to {classes - 1})");
            result[i] = (int)v;
        }
        return result;
    }

    public static void CheckClass(int target, int classes, string op, string what)
    {
        if (target < 0 || target >= classes)
            throw new ArgumentOutOfRangeException(what,
                $"{op}: {what} {target} is out of range for a model with {classes} outputs (0 to {classes - 1})");
    }

    /// <summary>The scores of each sample's class: scores[i, targets[i]], shape [N] (differentiable).</summary>
    public static Tensor Pick(Tensor scores, int[] targets)
    {
        var index = Tensor.FromArray(targets.Select(t => (float)t).ToArray(), targets.Length, 1);
        return scores.Gather(1, index).Reshape(targets.Length);
    }

    /// <summary>The class count, from one forward pass on the first sample (no graph).</summary>
    public static int Classes(Module model, Tensor batch, string op)
    {
        using var noGrad = GradMode.NoGrad();
        return Scores(model, batch.Narrow(0, 0, 1), op).Shape[1];
    }

    public static void CheckFinite(float value, string name, string op)
    {
        if (!float.IsFinite(value)) throw new ArgumentOutOfRangeException(name, $"{op}: {name} must be a finite number, got {value}");
    }
}
