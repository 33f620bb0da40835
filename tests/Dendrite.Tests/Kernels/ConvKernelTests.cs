using Dendrite.Autograd;
using Dendrite.Kernels;
using Dendrite.NN;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// The batched convolution and pooling drivers (<see cref="ConvBatch"/>) against naive double-precision
/// loops, over odd sizes, strides, asymmetric padding, dilation, groups and batch 1, and bitwise identical
/// for every thread count.
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class ConvKernelTests
{
    // n, c, h, w, o, groups, kh, kw, stride (h, w), dilation (h, w), padding (top, left, bottom, right)
    public static TheoryData<int[]> ConvCases() => new()
    {
        new[] { 3, 1, 28, 28, 6, 1, 5, 5, 1, 1, 1, 1, 2, 2, 2, 2 },  // LeNet's first layer
        new[] { 5, 6, 14, 14, 16, 1, 5, 5, 1, 1, 1, 1, 0, 0, 0, 0 }, // LeNet's second layer
        new[] { 1, 3, 7, 9, 4, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },    // batch 1
        new[] { 2, 4, 11, 13, 6, 2, 3, 2, 2, 3, 1, 1, 1, 0, 2, 1 },  // groups, strides, asymmetric padding
        new[] { 3, 2, 10, 17, 5, 1, 3, 3, 1, 2, 2, 1, 2, 1, 0, 3 },  // dilation
        new[] { 2, 6, 9, 9, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },    // depthwise
        new[] { 4, 3, 5, 31, 7, 1, 1, 4, 3, 1, 1, 1, 0, 0, 0, 0 },   // 1-row kernel, wide image
        // Stride 1 runs without an im2col matrix; its input gradient is a convolution with the flipped kernel
        // unless a side is padded beyond the kernel's reach (the third case, which falls back to col2im).
        new[] { 2, 3, 9, 11, 4, 1, 3, 3, 1, 1, 2, 2, 1, 3, 2, 0 },   // stride 1, dilation 2, asymmetric padding
        new[] { 6, 4, 8, 8, 6, 2, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0 },    // 1×1, groups, more images than a partial sum
        new[] { 2, 2, 6, 7, 3, 1, 3, 2, 1, 1, 1, 1, 3, 0, 1, 2 },    // padding wider than the kernel reaches
        // Right padding no wider than the left is folded into the next row's (Conv.ImplicitPitch): the last row
        // reads past the image, here by as much as the whole output row and more.
        new[] { 2, 1, 1, 1, 3, 1, 1, 7, 1, 1, 1, 1, 0, 3, 0, 3 },
        new[] { 3, 3, 9, 12, 12, 1, 3, 5, 1, 1, 1, 1, 1, 3, 0, 1 },  // the input gradient's transposed padding is not folded
        // Small maps with at least 32 output channels per group write im2col columns forward and take the weight
        // gradient as GEMMs over groups of images (the cnn workload's 8×8 layers); 6 images end on a short group.
        new[] { 6, 5, 8, 8, 32, 1, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },
        new[] { 5, 4, 6, 7, 64, 2, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1 },   // the same with groups
    };

    public static TheoryData<int[], string> ConvCasesPerIsa()
    {
        // Each case with every GEMM kernel the CPU has: the weight gradient takes another path without AVX-512.
        var data = new TheoryData<int[], string>();
        foreach (var isa in Gemm.SupportedIsas)
            foreach (var row in ConvCases())
                data.Add(row, isa.ToString());
        return data;
    }

    [Theory]
    [MemberData(nameof(ConvCasesPerIsa))]
    public void ConvMatchesNaiveLoopsAndIsBitwiseIdenticalForAnyThreadCount(int[] p, string isa) =>
        GemmTests.WithIsa(isa, () => ConvMatchesNaiveLoops(p));

    private static void ConvMatchesNaiveLoops(int[] p)
    {
        int n = p[0], c = p[1], h = p[2], w = p[3], o = p[4], groups = p[5];
        var win = new Window2d(p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14], p[15]);
        var g = new Generator(7);
        var x = Tensor.Randn(g, n, c, h, w);
        var weight = Tensor.Randn(g, o, c / groups, p[6], p[7]);
        var bias = Tensor.Randn(g, o);
        int outH = win.OutputH(h), outW = win.OutputW(w);
        var r = Tensor.Randn(g, n, o, outH, outW);
        var (refY, refDx, refDw, refDb) = Naive(x, weight, bias, r, win, groups);

        int saved = Threads.Count;
        try
        {
            float[][]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var xi = x.Clone().RequiresGrad_();
                var wi = weight.Clone().RequiresGrad_();
                var bi = bias.Clone().RequiresGrad_();
                var y = Tensor.Conv2d(xi, wi, bi, win, groups);
                (y * r).Sum().Backward();
                float[] inference;
                using (GradMode.NoGrad()) inference = Tensor.Conv2d(x, weight, bias, win, groups).ToArray();
                var results = new[] { y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray(), bi.Grad!.ToArray(), inference };
                if (first is null)
                {
                    first = results;
                    Close(refY, results[0], "y");
                    Close(refDx, results[1], "dx");
                    Close(refDw, results[2], "dw");
                    Close(refDb, results[3], "db");
                    Assert.Equal(results[0], results[4]); // inference takes the same arithmetic path
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

    private static void Close(double[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-4 * (1 + Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    // y = conv(x, w) + b and the gradients of Σ y·r, straight from the definition.
    private static (double[] Y, double[] Dx, double[] Dw, double[] Db) Naive(Tensor x, Tensor weight, Tensor bias, Tensor r,
        Window2d win, int groups)
    {
        int n = x.Shape[0], c = x.Shape[1], h = x.Shape[2], w = x.Shape[3], o = weight.Shape[0];
        int cg = c / groups, og = o / groups, outH = win.OutputH(h), outW = win.OutputW(w);
        float[] xs = x.ToArray(), ws = weight.ToArray(), bs = bias.ToArray(), rs = r.ToArray();
        var y = new double[n * o * outH * outW];
        var dx = new double[xs.Length];
        var dw = new double[ws.Length];
        var db = new double[o];
        for (int s = 0; s < n; s++)
            for (int oc = 0; oc < o; oc++)
                for (int oy = 0; oy < outH; oy++)
                    for (int ox = 0; ox < outW; ox++)
                    {
                        int yi = ((s * o + oc) * outH + oy) * outW + ox;
                        double acc = bs[oc], gr = rs[yi];
                        db[oc] += gr;
                        for (int ci = 0; ci < cg; ci++)
                            for (int i = 0; i < win.KernelH; i++)
                                for (int j = 0; j < win.KernelW; j++)
                                {
                                    int iy = oy * win.StrideH - win.PadTop + i * win.DilationH;
                                    int ix = ox * win.StrideW - win.PadLeft + j * win.DilationW;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    int xi = ((s * c + oc / og * cg + ci) * h + iy) * w + ix;
                                    int wi = ((oc * cg + ci) * win.KernelH + i) * win.KernelW + j;
                                    acc += (double)xs[xi] * ws[wi];
                                    dx[xi] += gr * ws[wi];
                                    dw[wi] += gr * xs[xi];
                                }
                        y[yi] = acc;
                    }
        return (y, dx, dw, db);
    }

    // n, c, h, w, kh, kw, stride (h, w), padding (h, w), dilation (h, w)
    public static TheoryData<int[]> PoolCases() => new()
    {
        new[] { 16, 6, 28, 28, 2, 2, 2, 2, 0, 0, 1, 1 }, // LeNet's first pool (split over threads): 8-wide blocks, overlapping tail
        new[] { 2, 16, 10, 10, 2, 2, 2, 2, 0, 0, 1, 1 },
        new[] { 1, 3, 17, 33, 2, 2, 2, 2, 0, 0, 1, 1 }, // odd sizes drop the last row and column
        new[] { 2, 2, 9, 15, 2, 2, 2, 2, 0, 0, 1, 1 },
        new[] { 2, 2, 4, 16, 2, 2, 2, 2, 0, 0, 1, 1 },  // exactly one vector block
        new[] { 2, 3, 9, 11, 3, 3, 2, 2, 1, 1, 1, 1 },  // general path: padding
        new[] { 1, 2, 12, 13, 3, 2, 3, 1, 0, 1, 2, 1 }, // general path: dilation, strides
    };

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void MaxPoolMatchesNaiveLoopsWithTiesAndNaN(int[] p)
    {
        int n = p[0], c = p[1], h = p[2], w = p[3];
        var win = new Padding2d(p[8], p[9]).Window((p[4], p[5]), (p[6], p[7]), (p[10], p[11]), "MaxPool2d");
        var g = new Generator(3);
        // Few distinct values make ties common; a sprinkling of NaN (once a whole window) tests propagation.
        var data = Tensor.Randn(g, n, c, h, w).ToArray();
        for (int i = 0; i < data.Length; i++) data[i] = MathF.Round(data[i] * 2) / 2;
        for (int i = 5; i < data.Length; i += 37) data[i] = float.NaN;
        if (h >= 2 && w >= 2) { data[0] = data[1] = data[w] = data[w + 1] = float.NaN; }
        var x = Tensor.FromArray(data, n, c, h, w);
        int outH = win.OutputH(h), outW = win.OutputW(w);
        var r = Tensor.Randn(g, n, c, outH, outW);

        // Reference: first maximum in window order wins, NaN beats numbers, the gradient goes to the winner.
        var refY = new float[n * c * outH * outW];
        var refDx = new float[data.Length];
        float[] rs = r.ToArray();
        for (int pl = 0; pl < n * c; pl++)
            for (int oy = 0; oy < outH; oy++)
                for (int ox = 0; ox < outW; ox++)
                {
                    float best = float.NegativeInfinity;
                    int at = -1;
                    for (int i = 0; i < win.KernelH; i++)
                        for (int j = 0; j < win.KernelW; j++)
                        {
                            int iy = oy * win.StrideH - win.PadTop + i * win.DilationH;
                            int ix = ox * win.StrideW - win.PadLeft + j * win.DilationW;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            float v = data[(pl * h + iy) * w + ix];
                            if (at < 0 || v > best || (float.IsNaN(v) && !float.IsNaN(best))) { best = v; at = (pl * h + iy) * w + ix; }
                        }
                    int yi = (pl * outH + oy) * outW + ox;
                    refY[yi] = best;
                    if (at >= 0) refDx[at] += rs[yi];
                }

        int saved = Threads.Count;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var xi = x.Clone().RequiresGrad_();
                var y = Tensor.MaxPool2d(xi, win);
                (y * r).Sum().Backward();
                Assert.Equal(refY, y.ToArray());
                float[] inference;
                using (GradMode.NoGrad()) inference = Tensor.MaxPool2d(x, win).ToArray();
                Assert.Equal(refY, inference);
                var dx = xi.Grad!.ToArray();
                Assert.Equal(refDx, dx);
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Theory]
    [MemberData(nameof(PoolCases))]
    public void MaxPoolWithFusedReluEqualsReluThenMaxPool(int[] p)
    {
        // relu(maxpool(x)) with no gradient where the result is not positive, against ReLU then max pool, the two
        // ops a training step ran before: bitwise the same output and input gradient, on data full of ties,
        // zeros, negative windows and NaN.
        int n = p[0], c = p[1], h = p[2], w = p[3];
        var win = new Padding2d(p[8], p[9]).Window((p[4], p[5]), (p[6], p[7]), (p[10], p[11]), "MaxPool2d");
        if (win.HasPadding)
        {
            Assert.Throws<InvalidOperationException>(() => Tensor.MaxPool2d(Tensor.Zeros(n, c, h, w), win, relu: true));
            return;
        }
        var g = new Generator(7);
        var data = Tensor.Randn(g, n, c, h, w).ToArray();
        for (int i = 0; i < data.Length; i++) data[i] = MathF.Round(data[i] * 2) / 2;
        for (int i = 11; i < data.Length; i += 41) data[i] = float.NaN;
        var x = Tensor.FromArray(data, n, c, h, w);
        var r = Tensor.Randn(g, n, c, win.OutputH(h), win.OutputW(w));
        var reference = x.Clone().RequiresGrad_();
        var refY = Tensor.MaxPool2d(reference.Relu(), win);
        (refY * r).Sum().Backward();

        int saved = Threads.Count;
        try
        {
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var xi = x.Clone().RequiresGrad_();
                var y = Tensor.MaxPool2d(xi, win, relu: true);
                (y * r).Sum().Backward();
                Assert.Equal(refY.ToArray(), y.ToArray());
                Assert.Equal(reference.Grad!.ToArray(), xi.Grad!.ToArray());
                using (GradMode.NoGrad()) Assert.Equal(refY.ToArray(), Tensor.MaxPool2d(x, win, relu: true).ToArray());
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    }
}
