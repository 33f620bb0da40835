using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.NN;

public class ConvLayerTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void SequentialConvReLUFusionChangesNoResult(int batch)
    {
        // Sequential runs Conv2d→ReLU as one op when nothing is recorded; the layers one by one are the
        // reference (3-d and 4-d inputs, with and without bias, grouped), and with gradients the fusion stands aside.
        var model = new Sequential(new Conv2d(4, 6, 3, padding: 1, generator: new Generator(1)), new ReLU(),
            new Conv2d(6, 6, 3, groups: 2, bias: false, generator: new Generator(2)), new ReLU());
        foreach (var shape in new[] { new[] { batch, 4, 7, 9 }, new[] { 4, 7, 9 } })
        {
            var x = Tensor.Randn(new Generator((ulong)batch), shape);
            Tensor Unfused()
            {
                var y = x;
                for (int i = 0; i < model.Count; i++) y = model[i].Forward(y);
                return y;
            }
            using (GradMode.NoGrad())
                Assert.Equal(Unfused().ToArray(), model.Forward(x).ToArray());
            var fused = model.Forward(x);
            fused.Sum().Backward();
            var grad = ((Conv2d)model[0]).Weight.Grad!.ToArray();
            model.ZeroGrad();
            var unfused = Unfused();
            unfused.Sum().Backward();
            Assert.Equal(unfused.ToArray(), fused.ToArray());
            Assert.Equal(((Conv2d)model[0]).Weight.Grad!.ToArray(), grad);
            model.ZeroGrad();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(6)]
    public void SequentialConvReLUMaxPoolTrainsAsTheLayersOneByOne(int batch)
    {
        // With a graph recorded, Conv2d→ReLU→MaxPool2d runs the convolution and one max pool that applies the
        // ReLU (LeNet's blocks); the layers one by one are the reference, to the bit, forward and backward, for
        // 4-d and 3-d input. A padded pool keeps the separate ReLU.
        var model = new Sequential(new Conv2d(1, 6, 5, padding: 2, generator: new Generator(1)), new ReLU(), new MaxPool2d(2),
            new Conv2d(6, 16, 5, generator: new Generator(2)), new ReLU(), new MaxPool2d(2),
            new Conv2d(16, 4, 3, padding: 1, generator: new Generator(3)), new ReLU(), new MaxPool2d(3, stride: 2, padding: 1));
        foreach (var shape in new[] { new[] { batch, 1, 28, 28 }, new[] { 1, 28, 28 } })
        {
            var x = Tensor.Randn(new Generator((ulong)batch + 10), shape).RequiresGrad_();
            var fused = model.Forward(x);
            fused.Sum().Backward();
            var grads = model.Parameters().Select(q => q.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToArray();
            model.ZeroGrad();
            x.Grad = null;
            var y = x;
            for (int i = 0; i < model.Count; i++) y = model[i].Forward(y);
            y.Sum().Backward();
            Assert.Equal(y.ToArray(), fused.ToArray());
            Assert.Equal(model.Parameters().Select(q => q.Grad!.ToArray()).Append(x.Grad!.ToArray()).ToArray(), grads);
            model.ZeroGrad();
        }
    }

    [Fact]
    public void InferenceMatchesTheRecordedPath()
    {
        // The no-grad path works through one image's im2col columns at a time in per-thread scratch; the
        // recorded path keeps the whole batch's columns for the backward pass. Same arithmetic, same bits.
        var g = new Generator(4);
        var conv = new Conv2d(1, 3, 5, padding: 2, generator: g);
        var x = Tensor.Rand(g, 500, 1, 28, 28);
        var whole = conv.Forward(x).ToArray();
        float[] chunked;
        using (GradMode.NoGrad()) chunked = conv.Forward(x).ToArray();
        Assert.Equal(whole, chunked);
    }

    [Fact]
    public void ShapesAndErrors()
    {
        var conv = new Conv2d(3, 8, (3, 5), stride: 2, padding: (1, 2));
        Assert.Equal(new[] { 2, 8, 4, 5 }, conv.Forward(Tensor.Zeros(2, 3, 8, 10)).Shape.ToArray());
        Assert.Equal(new[] { 8, 4, 5 }, conv.Forward(Tensor.Zeros(3, 8, 10)).Shape.ToArray()); // unbatched
        Assert.Contains("[N,3,H,W]", Assert.Throws<ArgumentException>(() => conv.Forward(Tensor.Zeros(2, 4, 8, 8))).Message);
        Assert.Contains("smaller than the", Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 5).Forward(Tensor.Zeros(1, 1, 3, 3))).Message);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => new Conv2d(3, 4, 3, groups: 2)).Message);
        Assert.Contains("stride 1", Assert.Throws<ArgumentException>(() => new Conv2d(1, 1, 3, stride: 2, padding: Padding2d.Same)).Message);
        Assert.Equal(new[] { 1, 1, 5, 5 }, new Conv2d(1, 1, 4, padding: Padding2d.Same).Forward(Tensor.Zeros(1, 1, 5, 5)).Shape.ToArray());
        Assert.Equal(61_706, Models.LeNet5().ParameterCount());
        Assert.Equal(new[] { 2, 10 }, Models.LeNet5().Forward(Tensor.Zeros(2, 1, 28, 28)).Shape.ToArray());
        Assert.Equal(new[] { 2, 10 }, Models.LeNet1998().Forward(Tensor.Zeros(2, 1, 28, 28)).Shape.ToArray());
    }

    [Fact]
    public void BatchNormTrainAndEvalBehaveLikePyTorch()
    {
        var bn = new BatchNorm2d(2);
        var x = Tensor.Randn(new Generator(8), 4, 2, 3, 3) * 3f + 1f;
        var y = bn.Forward(x);
        // Training normalises with the batch statistics: per-channel mean 0 and (biased) variance 1.
        Assert.All(y.Mean([0, 2, 3]).ToArray(), m => Assert.InRange(m, -1e-5f, 1e-5f));
        Assert.All(y.Var([0, 2, 3], correction: 0).ToArray(), v => Assert.InRange(v, 0.999f, 1.0001f));
        Assert.Equal(1f, bn.NumBatchesTracked!.Item());
        bn.Eval();
        var before = bn.RunningMean!.ToArray();
        bn.Forward(x);
        Assert.Equal(before, bn.RunningMean.ToArray()); // evaluation leaves the running statistics alone
        Assert.Contains("more than 1 value", Assert.Throws<ArgumentException>(() => new BatchNorm1d(3).Forward(Tensor.Zeros(1, 3))).Message);
    }
}
