using Dendrite.NN.Losses;
using L = Dendrite.NN.Functional;

namespace Dendrite.Tests.GradCheck;

/// <summary>
/// GradCheck rows for the losses: every reduction, weights, label smoothing, probability targets, ignore
/// index, [N,C,d...] inputs, and target gradients where the loss has them. Inputs are seeded.
/// </summary>
public static class LossRows
{
    private static int seed = 1000;

    private static Generator Next() => new((ulong)Interlocked.Increment(ref seed));

    private static Tensor R(params int[] shape) => Tensor.Randn(Next(), shape).RequiresGrad_();

    /// <summary>Normal values times <paramref name="scale"/>, as a leaf that requires a gradient.</summary>
    private static Tensor S(float scale, params int[] shape) => (Tensor.Randn(Next(), shape) * scale).Detach().RequiresGrad_();

    /// <summary>Values in [lo, hi) that require a gradient (probabilities kept away from 0 and 1).</summary>
    private static Tensor U(float lo, float hi, params int[] shape) =>
        (Tensor.Rand(Next(), shape) * (hi - lo) + lo).Detach().RequiresGrad_();

    /// <summary>Constant values in [lo, hi) (targets, weights).</summary>
    private static Tensor C(float lo, float hi, params int[] shape) => (Tensor.Rand(Next(), shape) * (hi - lo) + lo).Detach();

    private static Tensor Labels(params float[] values) => Tensor.FromArray(values);

    private static Tensor Probabilities(params int[] shape) => Tensor.Randn(Next(), shape).Softmax(1).Detach();

    private static GradCase Row(string name, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs, double atol = 1e-3, double rtol = 1e-2) =>
        new($"loss {name}", f, inputs, atol, rtol);

    private static readonly Reduction[] All = [Reduction.Mean, Reduction.Sum, Reduction.None];

    private static IEnumerable<GradCase> PerReduction(string name, Func<Tensor[], Reduction, Tensor> f, Func<Tensor[]> inputs) =>
        All.Select(r => Row($"{name} {r}", t => f(t, r), inputs));

    public static IEnumerable<GradCase> Rows
    {
        get
        {
            var rows = new List<GradCase>();
            rows.AddRange(PerReduction("mse", (t, r) => L.MseLoss(t[0], t[1], r), () => [R(3, 4), R(3, 4).Detach()]));
            rows.Add(Row("mse target grad", t => L.MseLoss(t[0], t[1]), () => [R(2, 3), R(2, 3)]));
            rows.AddRange(PerReduction("l1", (t, r) => L.L1Loss(t[0], t[1], r), () => [R(3, 4), R(3, 4).Detach()]));
            rows.AddRange(PerReduction("huber", (t, r) => L.HuberLoss(t[0], t[1], 1f, r), () => [S(2f, 4, 3), R(4, 3).Detach()]));
            rows.Add(Row("huber delta 0.5", t => L.HuberLoss(t[0], t[1], 0.5f), () => [R(5, 2), R(5, 2).Detach()]));
            rows.AddRange(PerReduction("smooth l1", (t, r) => L.SmoothL1Loss(t[0], t[1], 1f, r), () => [S(2f, 4, 3), R(4, 3).Detach()]));
            rows.Add(Row("smooth l1 beta 0.3", t => L.SmoothL1Loss(t[0], t[1], 0.3f), () => [R(5, 2), R(5, 2).Detach()]));
            rows.Add(Row("smooth l1 beta 0", t => L.SmoothL1Loss(t[0], t[1], 0f), () => [R(5, 2), R(5, 2).Detach()]));

            rows.AddRange(PerReduction("bce", (t, r) => L.BinaryCrossEntropy(t[0], t[1], reduction: r), () => [U(0.05f, 0.95f, 3, 4), C(0, 1, 3, 4)]));
            rows.Add(Row("bce weight", t => L.BinaryCrossEntropy(t[0], t[1], t[2]), () => [U(0.05f, 0.95f, 3, 4), C(0, 1, 3, 4), C(0.5f, 2, 4)]));
            rows.Add(Row("bce target grad", t => L.BinaryCrossEntropy(t[0], t[1]), () => [U(0.05f, 0.95f, 2, 3), U(0.1f, 0.9f, 2, 3)]));
            rows.AddRange(PerReduction("bce logits", (t, r) => L.BinaryCrossEntropyWithLogits(t[0], t[1], reduction: r), () => [S(2f, 3, 5), C(0, 1, 3, 5)]));
            rows.Add(Row("bce logits weight", t => L.BinaryCrossEntropyWithLogits(t[0], t[1], t[2]), () => [R(3, 5), C(0, 1, 3, 5), C(0.5f, 2, 3, 5)]));
            rows.AddRange(PerReduction("bce logits pos weight", (t, r) => L.BinaryCrossEntropyWithLogits(t[0], t[1], posWeight: t[2], reduction: r),
                () => [S(2f, 3, 5), C(0, 1, 3, 5), C(0.2f, 3, 5)]));
            rows.Add(Row("bce logits pos weight grads", t => L.BinaryCrossEntropyWithLogits(t[0], t[1], posWeight: t[2]),
                () => [R(3, 5), U(0, 1, 3, 5), U(0.2f, 3, 5)]));
            rows.Add(Row("bce logits target grad", t => L.BinaryCrossEntropyWithLogits(t[0], t[1]), () => [R(2, 3), U(0, 1, 2, 3)]));

            var y5 = Labels(2, 0, 3, 1, 3);
            var yIgnored = Labels(2, -100, 3, -100, 0);
            rows.AddRange(PerReduction("ce", (t, r) => L.CrossEntropy(t[0], y5, reduction: r), () => [R(5, 4)]));
            rows.AddRange(PerReduction("ce weight", (t, r) => L.CrossEntropy(t[0], y5, t[1], reduction: r), () => [R(5, 4), C(0.3f, 2, 4)]));
            rows.AddRange(PerReduction("ce label smoothing", (t, r) => L.CrossEntropy(t[0], y5, reduction: r, labelSmoothing: 0.2f), () => [R(5, 4)]));
            rows.AddRange(PerReduction("ce weight label smoothing", (t, r) => L.CrossEntropy(t[0], y5, t[1], reduction: r, labelSmoothing: 0.3f),
                () => [R(5, 4), C(0.3f, 2, 4)]));
            rows.AddRange(PerReduction("ce ignore index", (t, r) => L.CrossEntropy(t[0], yIgnored, t[1], reduction: r, labelSmoothing: 0.1f),
                () => [R(5, 4), C(0.3f, 2, 4)]));
            rows.Add(Row("ce ignore index 3", t => L.CrossEntropy(t[0], y5, ignoreIndex: 3), () => [R(5, 4)]));
            var yNd = Tensor.FromArray([0f, 2, 1, 1, 2, 0, 0, 1], 2, 2, 2);
            rows.AddRange(PerReduction("ce nd", (t, r) => L.CrossEntropy(t[0], yNd, t[1], reduction: r, labelSmoothing: 0.1f),
                () => [R(2, 3, 2, 2), C(0.3f, 2, 3)]));
            rows.AddRange(PerReduction("ce probabilities", (t, r) => L.CrossEntropy(t[0], t[1], reduction: r), () => [R(4, 3), Probabilities(4, 3)]));
            rows.Add(Row("ce probabilities weight smoothing", t => L.CrossEntropy(t[0], t[1], t[2], labelSmoothing: 0.2f),
                () => [R(4, 3), Probabilities(4, 3), C(0.3f, 2, 3)]));
            rows.Add(Row("ce probabilities target grad", t => L.CrossEntropy(t[0], t[1]), () => [R(3, 4), U(0, 1, 3, 4)]));
            rows.Add(Row("ce probabilities nd", t => L.CrossEntropy(t[0], t[1]), () => [R(2, 3, 2), Probabilities(2, 3, 2)]));
            rows.Add(Row("ce unbatched", t => L.CrossEntropy(t[0], Tensor.Scalar(1f)), () => [R(4)]));

            rows.AddRange(PerReduction("nll", (t, r) => L.NllLoss(t[0], y5, reduction: r), () => [R(5, 4)]));
            rows.AddRange(PerReduction("nll weight ignore", (t, r) => L.NllLoss(t[0], yIgnored, t[1], reduction: r), () => [R(5, 4), C(0.3f, 2, 4)]));
            rows.Add(Row("nll nd", t => L.NllLoss(t[0], yNd), () => [R(2, 3, 2, 2)]));

            var y6 = Labels(0, 3, 1, 1, 2, 0);
            foreach (int p in new[] { 1, 2 })
            {
                rows.AddRange(PerReduction($"multi margin p={p}", (t, r) => L.MultiMarginLoss(t[0], y6, p, reduction: r), () => [R(6, 4)]));
                rows.Add(Row($"multi margin p={p} margin 0.5 weight", t => L.MultiMarginLoss(t[0], y6, p, 0.5f, t[1]), () => [R(6, 4), C(0.3f, 2, 4)]));
            }
            var pm = Tensor.FromArray([1f, -1, -1, 1, 1, -1], 2, 3);
            rows.AddRange(PerReduction("hinge", (t, r) => L.HingeLoss(t[0], pm, r), () => [S(2f, 2, 3)]));

            rows.Add(Row("regularization L1", t => Regularization.L1([t[0], t[1]]), () => [R(2, 3), R(4)]));
            rows.Add(Row("regularization L2", t => Regularization.L2([t[0], t[1]]), () => [R(2, 3), R(4)]));
            rows.Add(Row("loss plus L2 penalty", t => L.MseLoss(t[0], t[1]) + 0.1f * Regularization.L2([t[0]]), () => [R(3), R(3).Detach()]));
            return rows;
        }
    }
}
