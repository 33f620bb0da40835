using Dendrite.Kernels;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// Element-wise kernels and optimizer updates run 8 wide and, for long operands, in chunks on the worker
/// pool. Both must give exactly the results of the plain per-element formula, for every thread count.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class ChunkedKernelTests
{
    [Fact]
    public void LongElementwiseRowsGiveTheSameBitsForEveryThreadCount()
    {
        const int n = 200_003; // three full chunks and a ragged one
        var a = Random(n, 8);
        var b = Random(n, 9);
        a[5] = float.NaN;
        var expected = new float[n];
        for (int i = 0; i < n; i++) expected[i] = a[i] * b[i];
        var expectedScaled = new float[n];
        for (int i = 0; i < n; i++) expectedScaled[i] = a[i] * 3f;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var dst = new float[n];
            var scaled = new float[n];
            WithThreads(threads, () =>
            {
                Elementwise.Binary(default(MulOp), [n], a, [1], b, [1], dst, [1]);
                // A broadcast operand (stride 0) splits too.
                Elementwise.Binary(default(MulOp), [n], a, [1], [3f], [0], scaled, [1]);
            });
            Assert.Equal(expected, dst);
            Assert.Equal(expectedScaled, scaled);
        }
    }

    // Three chunks and a ragged tail, and a length below one vector.
    [Theory]
    [InlineData(40_005)]
    [InlineData(5)]
    public void SgdMatchesTheScalarFormulaForEveryThreadCount(int length)
    {
        foreach (var (momentum, weightDecay, nesterov, first) in new[]
                 { (0f, 0f, false, false), (0.9f, 0f, false, false), (0.9f, 0f, false, true), (0.9f, 0.01f, true, false) })
        {
            var (p0, g, b0) = (Random(length, 1), Random(length, 2), Random(length, 3));
            var expectedP = (float[])p0.Clone();
            var expectedB = (float[])b0.Clone();
            for (int i = 0; i < length; i++)
            {
                float d = weightDecay != 0 ? g[i] + weightDecay * expectedP[i] : g[i];
                if (momentum != 0)
                {
                    float b = first ? d : expectedB[i] * momentum + 1f * d;
                    expectedB[i] = b;
                    d = nesterov ? d + momentum * b : b;
                }
                expectedP[i] -= 0.05f * d;
            }
            foreach (int threads in new[] { 1, 2 })
            {
                var p = (float[])p0.Clone();
                var b = (float[])b0.Clone();
                WithThreads(threads, () => OptimizerKernels.Sgd(p, g, momentum != 0 ? b : default, first,
                    0.05f, momentum, 0f, weightDecay, nesterov));
                Assert.Equal(expectedP, p);
                if (momentum != 0) Assert.Equal(expectedB, b);
            }
        }
    }

    [Theory]
    [InlineData(40_005)]
    [InlineData(5)]
    public void AdamMatchesTheScalarFormulaForEveryThreadCount(int length)
    {
        foreach (float weightDecay in new[] { 0f, 0.01f })
        {
            var (p0, g, m0, v0) = (Random(length, 4), Random(length, 5), Random(length, 6), Random(length, 7));
            for (int i = 0; i < length; i++) v0[i] = Math.Abs(v0[i]);
            const float stepSize = 1e-3f / (1 - 0.9f * 0.9f), bc2 = 0.0447f, b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
            var (eP, eM, eV) = ((float[])p0.Clone(), (float[])m0.Clone(), (float[])v0.Clone());
            for (int i = 0; i < length; i++)
            {
                float d = weightDecay != 0 ? g[i] + weightDecay * eP[i] : g[i];
                eM[i] = eM[i] * b1 + (1f - b1) * d;
                eV[i] = eV[i] * b2 + (1f - b2) * (d * d);
                eP[i] -= stepSize * (eM[i] / (MathF.Sqrt(eV[i]) / bc2 + eps));
            }
            foreach (int threads in new[] { 1, 2 })
            {
                var (p, m, v) = ((float[])p0.Clone(), (float[])m0.Clone(), (float[])v0.Clone());
                WithThreads(threads, () => OptimizerKernels.Adam(p, g, m, v, default, stepSize, bc2, b1, b2, eps, weightDecay));
                Assert.Equal(eP, p);
                Assert.Equal(eM, m);
                Assert.Equal(eV, v);
            }
        }
    }

    private static float[] Random(int length, int seed)
    {
        var random = new Random(seed);
        var x = new float[length];
        for (int i = 0; i < length; i++) x[i] = (float)(random.NextDouble() * 2 - 1);
        return x;
    }

    private static void WithThreads(int threads, Action action)
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = threads;
            action();
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
