using Dendrite.Kernels;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Runtime;
using Dendrite.Tensors;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// A Linear layer's three gradients may run side by side on the worker pool (LinearGradients); whichever
/// thread computes which, they must be bitwise the products and the column sum computed one after another,
/// and a whole MLP training step the same on one and two threads.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class TrainingStepThreadsTests
{
    // (n, in, out): the MLP's middle layer (side by side at 2 threads and more), its last layer (too small:
    // one after another), and one too large to run single-threaded beside another with more than 2 threads.
    [Theory]
    [InlineData(64, 256, 128)]
    [InlineData(64, 128, 10)]
    [InlineData(96, 300, 280)]
    public void GradientsAreTheSeparateProductsForEveryThreadCount(int n, int inFeatures, int outFeatures)
    {
        var dy = Random(n * outFeatures, 1);
        var x = Random(n * inFeatures, 2);
        var w = Random(outFeatures * inFeatures, 3);
        var dw0 = Random(outFeatures * inFeatures, 4);
        dy[7] = float.NaN;
        foreach (float beta in new[] { 0f, 1f })
        {
            // The reference: each reduction alone, on one thread.
            var (dxRef, dwRef, dbRef) = (new float[n * inFeatures], (float[])dw0.Clone(), new float[outFeatures]);
            WithThreads(1, () =>
            {
                Gemm.Sgemm(false, false, n, inFeatures, outFeatures, 1f, dy, outFeatures, w, inFeatures, 0f, dxRef, inFeatures);
                Gemm.Sgemm(true, false, outFeatures, inFeatures, n, 1f, dy, outFeatures, x, inFeatures, beta, dwRef, inFeatures);
                Reduce.Sum(dy, 1, n, outFeatures, dbRef);
            });
            foreach (int threads in new[] { 1, 2, 3, 4 })
            {
                var (dx, dw, db) = (new float[n * inFeatures], (float[])dw0.Clone(), new float[outFeatures]);
                WithThreads(threads, () => LinearGradients.Compute(n, inFeatures, outFeatures, dy, x, w, dx, dw, beta, db));
                Assert.Equal(dxRef, dx);
                Assert.Equal(dwRef, dw);
                Assert.Equal(dbRef, db);

                // Any one of them alone (an input that needs no gradient, a layer without bias).
                var dwOnly = (float[])dw0.Clone();
                WithThreads(threads, () => LinearGradients.Compute(n, inFeatures, outFeatures, dy, x, default, default, dwOnly, beta, default));
                Assert.Equal(dwRef, dwOnly);
                var dxOnly = new float[n * inFeatures];
                WithThreads(threads, () => LinearGradients.Compute(n, inFeatures, outFeatures, dy, default, w, dxOnly, default, 0f, default));
                Assert.Equal(dxRef, dxOnly);
            }
        }
    }

    [Fact]
    public void AShortDestinationFailsOnTheCallingThreadWhenTheProductsRunSideBySide()
    {
        const int n = 64, inFeatures = 256, outFeatures = 128;
        var tooShort = new float[n * inFeatures - 1];
        var e = Assert.Throws<ArgumentException>(() => WithThreads(2, () => LinearGradients.Compute(n, inFeatures, outFeatures,
            new float[n * outFeatures], new float[n * inFeatures], new float[outFeatures * inFeatures], tooShort,
            new float[outFeatures * inFeatures], 0f, new float[outFeatures])));
        Assert.Contains("Sgemm: C stored [64,256]", e.Message);
    }

    [Theory]
    [InlineData("mlp")]
    [InlineData("lenet5")] // on AVX-512, every convolution kernel of ConvDirect: forward, input and weight gradients
    public void TrainingGivesTheSameBitsOnOneAndTwoThreads(string network)
    {
        float[][] Train(int threads)
        {
            float[][] result = [];
            WithThreads(threads, () =>
            {
                var model = network == "mlp"
                    ? new Sequential(Models.Mlp(784, [256, 128], 10, generator: new Generator(0)))
                    : Models.LeNet5(generator: new Generator(0));
                var optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
                var loss = new CrossEntropyLoss();
                var g = new Generator(5);
                for (int step = 0; step < 3; step++)
                {
                    var x = network == "mlp" ? Tensor.Randn(g, 64, 784) : Tensor.Randn(g, 64, 1, 28, 28);
                    var y = Tensor.RandInt(0, 10, [64], g);
                    optimizer.ZeroGrad();
                    loss.Forward(model.Forward(x), y).Backward();
                    optimizer.Step();
                }
                result = [.. model.Parameters().Select(p => p.ToArray())];
            });
            return result;
        }

        var one = Train(1);
        var two = Train(2);
        Assert.Equal(one.Length, two.Length);
        for (int i = 0; i < one.Length; i++) Assert.Equal(one[i], two[i]);
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
