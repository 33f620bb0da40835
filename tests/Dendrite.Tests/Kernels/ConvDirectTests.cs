using Dendrite.Autograd;
using Dendrite.Kernels;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

/// <summary>
/// The direct convolution kernel for few output channels (<see cref="ConvDirect"/>) against the implicit GEMM it
/// replaces, on the shapes it takes: stride 1, odd sizes, padding, dilation, groups, batch above 1, output widths
/// that are no multiple of 16 and every channel count up to its limit (each remainder tile). The forward pass and
/// the input gradient (a convolution with the flipped kernel) both run on it, and with 9 to 16 output channels
/// so does the weight gradient (<see cref="ConvDirect.WeightGrad"/>, each tile shape of kernel rows).
/// </summary>
[Collection(KernelSettingsCollection.Name)]
public class ConvDirectTests
{
    // n, c, h, w, o, groups, kh, kw, dilation (h, w), padding (top, left, bottom, right)
    public static TheoryData<int[]> Cases() => new()
    {
        new[] { 3, 1, 28, 28, 6, 1, 5, 5, 1, 1, 2, 2, 2, 2 },   // LeNet's first layer
        new[] { 4, 6, 14, 14, 16, 1, 5, 5, 1, 1, 0, 0, 0, 0 },  // LeNet's second layer (input gradient: 6 channels)
        new[] { 2, 3, 9, 13, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1 },    // one channel, a map narrower than one tile
        new[] { 3, 2, 11, 23, 7, 1, 5, 3, 1, 1, 2, 1, 2, 1 },   // 7 rows, width 23
        new[] { 2, 5, 10, 37, 13, 1, 3, 5, 1, 1, 0, 2, 1, 2 },  // 8 + 5 rows, asymmetric padding
        new[] { 2, 4, 12, 19, 9, 1, 3, 3, 2, 2, 2, 2, 2, 2 },   // dilation (the weight gradient keeps the dot products)
        new[] { 3, 4, 12, 19, 11, 1, 3, 3, 2, 1, 2, 1, 2, 1 },  // vertical dilation: 12 kernel rows, two tiles of 6
        new[] { 2, 2, 9, 11, 16, 1, 2, 4, 1, 1, 1, 2, 0, 1 },   // 4 wide: one tile of 4 kernel rows
        new[] { 5, 14, 8, 9, 24, 2, 1, 3, 1, 1, 0, 1, 0, 1 },    // 12 channels per group, 7 kernel rows: tiles of 6 and 1
        new[] { 5, 6, 9, 10, 10, 2, 3, 3, 1, 1, 1, 1, 1, 1 },   // groups of 5
        new[] { 1, 2, 3, 70, 3, 1, 1, 3, 1, 1, 0, 1, 0, 1 },    // one row of more than one tile
        new[] { 2, 3, 7, 7, 17, 1, 3, 3, 1, 1, 1, 1, 1, 1 },    // just above the limit: the GEMM, the input gradient direct
        new[] { 3, 2, 8, 13, 14, 1, 5, 5, 1, 1, 1, 3, 2, 1 },   // right padding folded into the left, 14 channels
        new[] { 2, 4, 6, 30, 10, 1, 3, 4, 1, 1, 0, 1, 1, 2 },   // right padding wider than the left: not folded
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DirectPathMatchesTheImplicitGemm(int[] p)
    {
        int n = p[0], c = p[1], h = p[2], w = p[3], o = p[4], groups = p[5];
        var win = new Window2d(p[6], p[7], 1, 1, p[8], p[9], p[10], p[11], p[12], p[13]);
        var g = new Generator(11);
        var x = Tensor.Randn(g, n, c, h, w);
        var weight = Tensor.Randn(g, o, c / groups, p[6], p[7]);
        var bias = Tensor.Randn(g, o);
        var r = Tensor.Randn(g, n, o, win.OutputH(h), win.OutputW(w));
        var geometry = new ConvGeometry(n, c, h, w, o, groups, win);
        if (Gemm.Isa == GemmIsa.Avx512)
        {
            Assert.Equal(o / groups <= ConvDirect.MaxChannels, ConvDirect.Takes(geometry));
            Assert.Equal(o / groups is >= ConvDirect.WeightGradMinChannels and <= 16 && p[9] == 1 && p[7] >= 3,
                ConvDirect.WeightGradTakes(geometry));
        }

        (float[] Y, float[] Dx, float[] Dw, float[] Inference) Run(bool direct)
        {
            bool saved = ConvDirect.Enabled;
            try
            {
                ConvDirect.Enabled = direct;
                var xi = x.Clone().RequiresGrad_();
                var wi = weight.Clone().RequiresGrad_();
                var y = Tensor.Conv2d(xi, wi, bias, win, groups);
                (y * r).Sum().Backward();
                using (GradMode.NoGrad())
                    return (y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray(),
                        Tensor.Conv2d(x, weight, bias, win, groups, relu: true).ToArray());
            }
            finally
            {
                ConvDirect.Enabled = saved;
            }
        }

        var gemm = Run(direct: false);
        var direct = Run(direct: true);
        Close(gemm.Y, direct.Y, "y");
        Close(gemm.Dx, direct.Dx, "dx");
        Close(gemm.Dw, direct.Dw, "dw");
        Close(gemm.Inference, direct.Inference, "relu(y)");
        for (int i = 0; i < direct.Y.Length; i++) Assert.Equal(MathF.Max(direct.Y[i], 0f), direct.Inference[i]);
    }

    [Fact]
    public void DirectPathIsBitwiseIdenticalForAnyThreadCount()
    {
        var win = new Window2d(5, 5, 1, 1, 1, 1, 2, 2, 2, 2);
        var g = new Generator(5);
        var x = Tensor.Randn(g, 13, 3, 13, 21);
        var weight = Tensor.Randn(g, 11, 3, 5, 5);
        var r = Tensor.Randn(g, 13, 11, 13, 21);
        int saved = Threads.Count;
        try
        {
            float[][]? first = null;
            foreach (int threads in new[] { 1, 2, 3 })
            {
                Threads.Count = threads;
                var xi = x.Clone().RequiresGrad_();
                var wi = weight.Clone().RequiresGrad_();
                var y = Tensor.Conv2d(xi, wi, null, win, 1);
                (y * r).Sum().Backward();
                float[][] results = [y.ToArray(), xi.Grad!.ToArray(), wi.Grad!.ToArray()];
                if (first is null) first = results;
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

    // The two paths sum the same products in different orders: equal to float rounding, 1e-5 relative to the
    // element or to the tensor's root mean square, whichever is larger (a weight gradient's element can be a
    // small difference of sums over hundreds of pixels).
    private static void Close(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double rms = Math.Sqrt(expected.Sum(e => (double)e * e) / Math.Max(1, expected.Length));
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5 * Math.Max(Math.Abs(expected[i]), rms),
                $"{what}[{i}]: im2col path {expected[i]}, direct path {actual[i]}");
    }
}
