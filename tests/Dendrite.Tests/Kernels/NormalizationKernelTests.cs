using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// Batch normalisation's fused kernels (<see cref="Dendrite.Kernels.Normalization"/>) against the definition in
/// double precision — batch and running statistics, with and without γ/β and the fused ReLU — and bitwise
/// identical for every thread count; BatchNorm → ReLU fused gives the same bits as the two ops.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class NormalizationKernelTests
{
    // [N, C, H, W] (or [N, C]), relu, affine, training
    public static TheoryData<int[], bool, bool, bool> Cases() => new()
    {
        { new[] { 6, 5, 7, 9 }, false, true, true },
        { new[] { 6, 5, 7, 9 }, true, true, true },
        { new[] { 8, 40, 12, 12 }, true, true, true },   // large enough to split over threads
        { new[] { 8, 40, 12, 12 }, false, false, true },
        { new[] { 64, 48 }, true, true, true },          // BatchNorm1d: one value per channel and image
        { new[] { 4, 3, 5, 5 }, true, true, false },     // running statistics, with a gradient
        { new[] { 9, 33, 16, 16 }, false, true, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheDefinitionAndIsBitwiseIdenticalForAnyThreadCount(int[] shape, bool relu, bool affine, bool training)
    {
        var g = new Generator(11);
        // A mean far from 0 against the spread: the statistics must not lose it to cancellation.
        var x = Tensor.Randn(g, shape) * 0.5f + 3f;
        int c = shape[1];
        var gamma = affine ? Tensor.Randn(g, c) : null;
        var beta = affine ? Tensor.Randn(g, c) : null;
        var runMean = Tensor.Randn(g, c);
        var runVar = Tensor.Rand(g, c) + 0.5f;
        var r = Tensor.Randn(g, shape);
        var (refY, refDx, refDg, refDb, refMean, refVar) = Naive(x, gamma, beta, runMean, runVar, r, relu, training);

        int saved = Threads.Count;
        try
        {
            float[][]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var xi = x.Clone().RequiresGrad_();
                var gi = gamma?.Clone().RequiresGrad_();
                var bi = beta?.Clone().RequiresGrad_();
                var rm = runMean.Clone();
                var rv = runVar.Clone();
                var y = Functional.BatchNorm(xi, rm, rv, gi, bi, training, 0.1f, 1e-5f, relu);
                (y * r).Sum().Backward();
                var results = new[]
                {
                    y.ToArray(), xi.Grad!.ToArray(), gi?.Grad!.ToArray() ?? [], bi?.Grad!.ToArray() ?? [], rm.ToArray(), rv.ToArray(),
                };
                if (first is null)
                {
                    first = results;
                    Close(refY, results[0], "y");
                    Close(refDx, results[1], "dx");
                    if (affine)
                    {
                        Close(refDg, results[2], "dgamma");
                        Close(refDb, results[3], "dbeta");
                    }
                    Close(refMean, results[4], "running_mean");
                    Close(refVar, results[5], "running_var");
                }
                else
                    for (int i = 0; i < results.Length; i++)
                        Assert.True(first[i].AsSpan().SequenceEqual(results[i]), $"result {i} differs at {threads} threads");
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void FusedReluGivesTheSameBitsAsTheTwoOps()
    {
        var g = new Generator(5);
        var x = Tensor.Randn(g, 8, 6, 10, 10);
        var r = Tensor.Randn(g, 8, 6, 10, 10);
        float[][] Run(bool fused)
        {
            var xi = x.Clone().RequiresGrad_();
            var model = new Sequential(new Dendrite.NN.Layers.BatchNorm2d(6), new Dendrite.NN.Layers.ReLU());
            // A hook on a child makes Sequential run its layers one by one instead of the fused step.
            using var hook = fused ? null : model[1].RegisterForwardHook((_, _, _) => null);
            var y = model.Forward(xi);
            (y * r).Sum().Backward();
            var bn = (Dendrite.NN.Layers.BatchNorm2d)model[0];
            return [y.ToArray(), xi.Grad!.ToArray(), bn.Weight!.Grad!.ToArray(), bn.Bias!.Grad!.ToArray(), bn.RunningVar!.ToArray()];
        }
        var a = Run(fused: true);
        var b = Run(fused: false);
        for (int i = 0; i < a.Length; i++) Assert.True(a[i].AsSpan().SequenceEqual(b[i]), $"result {i} differs");
    }

    private static void Close(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 2e-4 * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    // The layer and the gradients of Σ y·r straight from the definition, in double precision.
    private static (double[] Y, double[] Dx, double[] Dg, double[] Db, double[] Mean, double[] Var) Naive(Tensor x, Tensor? gamma,
        Tensor? beta, Tensor runMean, Tensor runVar, Tensor r, bool relu, bool training)
    {
        int n = x.Shape[0], c = x.Shape[1], s = x.Numel / (n * c);
        float[] xs = x.ToArray(), rs = r.ToArray(), rm = runMean.ToArray(), rv = runVar.ToArray();
        float[]? gs = gamma?.ToArray(), bs = beta?.ToArray();
        var y = new double[xs.Length];
        var dx = new double[xs.Length];
        var dg = new double[c];
        var db = new double[c];
        var newMean = new double[c];
        var newVar = new double[c];
        int m = n * s;
        for (int ch = 0; ch < c; ch++)
        {
            IEnumerable<int> At() => Enumerable.Range(0, n).SelectMany(i => Enumerable.Range(((i * c) + ch) * s, s));
            double mean = training ? At().Average(i => (double)xs[i]) : rm[ch];
            double variance = training ? At().Average(i => (xs[i] - mean) * (xs[i] - mean)) : rv[ch];
            newMean[ch] = training ? 0.9 * rm[ch] + 0.1 * mean : rm[ch];
            newVar[ch] = training ? 0.9 * rv[ch] + 0.1 * variance * m / (m - 1) : rv[ch];
            double inv = 1 / Math.Sqrt(variance + 1e-5), gm = gs?[ch] ?? 1, bt = bs?[ch] ?? 0;
            double sumG = 0, sumGx = 0;
            var grad = new Dictionary<int, double>();
            foreach (int i in At())
            {
                double xhat = (xs[i] - mean) * inv, pre = xhat * gm + bt;
                y[i] = relu ? Math.Max(pre, 0) : pre;
                double gr = relu && pre <= 0 ? 0 : rs[i];
                grad[i] = gr;
                sumG += gr;
                sumGx += gr * xhat;
            }
            dg[ch] = sumGx;
            db[ch] = sumG;
            foreach (int i in At())
            {
                double xhat = (xs[i] - mean) * inv;
                dx[i] = training ? gm * inv * (grad[i] - sumG / m - xhat * sumGx / m) : gm * inv * grad[i];
            }
        }
        return (y, dx, dg, db, newMean, newVar);
    }
}
