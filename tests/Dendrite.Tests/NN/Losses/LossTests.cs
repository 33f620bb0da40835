using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using L = Dendrite.NN.Functional;

namespace Dendrite.Tests.NN.Losses;

public class LossTests
{
    // ----- worked examples -----

    [Fact]
    public void SquaredErrorOfAConfidentWrongPrediction()
    {
        var loss = new MseLoss().Call(Tensor.FromArray([0.01f]), Tensor.FromArray([1f]));
        Assert.Equal(0.9801f, loss.Item(), 1e-6f);
    }

    [Fact]
    public void CrossEntropyOfAWrongConfidentPredictionIs6_64BitsOr4_61Nats()
    {
        // Feeding log p as logits: log-softmax of log p is log p itself, so the loss is −ln p[0].
        var logits = Tensor.FromArray([0.01f, 0.97f, 0.02f]).Log().Reshape(1, 3);
        var nats = new CrossEntropyLoss().Call(logits, Tensor.FromArray([0f])).Item();
        Assert.Equal(4.61, nats, 2);
        Assert.Equal(6.64, nats / Math.Log(2), 2);
        Assert.Equal(-Math.Log(0.01), nats, 5);
    }

    [Fact]
    public void CrossEntropyIsNllOfLogSoftmax()
    {
        var x = Tensor.Randn(new Generator(3), 6, 5);
        var y = Tensor.FromArray([0f, 4, 2, 2, 1, 3]);
        Assert.Equal(L.NllLoss(x.LogSoftmax(1), y).Item(), L.CrossEntropy(x, y).Item(), 1e-6f);
    }

    [Fact]
    public void CrossEntropyWithOneHotProbabilitiesEqualsClassIndices()
    {
        var x = Tensor.Randn(new Generator(4), 4, 3);
        var y = Tensor.FromArray([2f, 0, 1, 2]);
        Assert.Equal(L.CrossEntropy(x, y).Item(), L.CrossEntropy(x, Tensor.OneHot(y, 3)).Item(), 1e-6f);
    }

    [Fact]
    public void CrossEntropyMeanOverOnlyIgnoredElementsIsNaNLikePyTorch()
    {
        var loss = L.CrossEntropy(Tensor.Randn(new Generator(5), 2, 3), Tensor.FromArray([-100f, -100f]));
        Assert.True(float.IsNaN(loss.Item()));
    }

    [Fact]
    public void BceClampsTheLogSoLossAndGradientStayFinite()
    {
        var x = Tensor.FromArray([0f, 1f]).RequiresGrad_();
        var loss = L.BinaryCrossEntropy(x, Tensor.FromArray([1f, 0f]), reduction: Reduction.Sum);
        Assert.Equal(200f, loss.Item(), 1e-3f); // each term is −max(ln 0, −100) = 100
        loss.Backward();
        Assert.All(x.Grad!.ToArray(), g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void BceWithLogitsIsStableForLargeLogits()
    {
        var x = Tensor.FromArray([100f, -100f, 100f, -100f]).RequiresGrad_();
        var loss = L.BinaryCrossEntropyWithLogits(x, Tensor.FromArray([1f, 0f, 0f, 1f]), reduction: Reduction.None);
        Assert.Equal([0f, 0f, 100f, 100f], loss.ToArray());
        loss.Sum().Backward();
        var g = x.Grad!.ToArray();
        Assert.Equal([0f, 0f, 1f, -1f], g.Select(v => MathF.Round(v, 6)));
        Assert.True(g[1] > 0f && g[1] < 1e-40f, $"σ(−100) = {g[1]}"); // tiny but not lost to cancellation
    }

    [Fact]
    public void BceWithLogitsEqualsBceOfSigmoid()
    {
        var x = Tensor.Randn(new Generator(6), 3, 4);
        var y = Tensor.Rand(new Generator(7), 3, 4);
        Assert.Equal(L.BinaryCrossEntropy(x.Sigmoid(), y).Item(), L.BinaryCrossEntropyWithLogits(x, y).Item(), 1e-5f);
    }

    [Fact]
    public void HingeLossIsZeroBeyondTheMargin()
    {
        var loss = L.HingeLoss(Tensor.FromArray([2f, -3f, 0.5f]), Tensor.FromArray([1f, -1f, 1f]), Reduction.None);
        Assert.Equal([0f, 0f, 0.5f], loss.ToArray());
    }

    [Fact]
    public void PenaltiesSumAbsoluteAndSquaredWeights()
    {
        var a = new Parameter(Tensor.FromArray([1f, -2f]));
        var b = new Parameter(Tensor.FromArray([3f]));
        Assert.Equal(6f, Regularization.L1([a, b]).Item());
        Assert.Equal(14f, Regularization.L2([a, b]).Item());
        Regularization.L2([a, b]).Backward();
        Assert.Equal([2f, -4f], a.Grad!.ToArray());
    }

    [Fact]
    public void WeightedLossesRegisterTheirWeightsAsBuffers()
    {
        var ce = new CrossEntropyLoss(Tensor.Ones(3), labelSmoothing: 0.1f);
        Assert.Equal(["weight"], ce.NamedBuffers().Select(b => b.Name));
        Assert.Contains("label_smoothing=0.1", ce.ToString());
        Assert.Equal(["pos_weight"], new BceWithLogitsLoss(posWeight: Tensor.Ones(2)).NamedBuffers().Select(b => b.Name));
    }

    // ----- bad input -----

    [Fact]
    public void ShapeMismatchNamesTheLossAndBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => new MseLoss().Call(Tensor.Zeros(4, 1), Tensor.Zeros(4)));
        Assert.Equal("MseLoss: input shape [4,1] and target shape [4] differ", e.Message);
        Assert.Contains("BceWithLogitsLoss: input shape [2,3] and target shape [3,2] differ",
            Assert.Throws<ArgumentException>(() => L.BinaryCrossEntropyWithLogits(Tensor.Zeros(2, 3), Tensor.Zeros(3, 2))).Message);
        Assert.Contains("L1Loss", Assert.Throws<ArgumentException>(() => L.L1Loss(Tensor.Zeros(2), Tensor.Zeros(3))).Message);
        Assert.Contains("HingeLoss", Assert.Throws<ArgumentException>(() => L.HingeLoss(Tensor.Zeros(2), Tensor.Ones(3))).Message);
    }

    [Fact]
    public void LabelOutOfRangeNamesTheLabelAndTheClassCount()
    {
        var e = Assert.Throws<ArgumentException>(() => new CrossEntropyLoss().Call(Tensor.Zeros(2, 3), Tensor.FromArray([1f, 3f])));
        Assert.Contains("label 3", e.Message);
        Assert.Contains("3 classes", e.Message);
        Assert.Contains("target element 1", e.Message);
        Assert.Contains("label -1", Assert.Throws<ArgumentException>(() => L.NllLoss(Tensor.Zeros(2, 3), Tensor.FromArray([-1f, 0f]))).Message);
        Assert.Contains("label 4", Assert.Throws<ArgumentException>(() => L.MultiMarginLoss(Tensor.Zeros(2, 4), Tensor.FromArray([4f, 0f]))).Message);
    }

    [Fact]
    public void NonIntegerLabelsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => L.CrossEntropy(Tensor.Zeros(2, 3), Tensor.FromArray([0.5f, 1f])));
        Assert.Contains("whole numbers, got 0.5", e.Message);
    }

    [Fact]
    public void ClassTargetOfTheWrongShapeIsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => L.CrossEntropy(Tensor.Zeros(4, 3), Tensor.Zeros(3)));
        Assert.Contains("target of shape [3] does not fit input of shape [4,3]", e.Message);
        Assert.Contains("[4]", e.Message);
        Assert.Contains("class weight of shape [2]",
            Assert.Throws<ArgumentException>(() => L.CrossEntropy(Tensor.Zeros(4, 3), Tensor.Zeros(4), Tensor.Ones(2))).Message);
    }

    [Fact]
    public void BceRejectsTargetsAndProbabilitiesOutsideTheUnitInterval()
    {
        Assert.Contains("BceLoss: targets must be in [0, 1], got 2",
            Assert.Throws<ArgumentException>(() => L.BinaryCrossEntropy(Tensor.Full([2], 0.5f), Tensor.FromArray([1f, 2f]))).Message);
        Assert.Contains("BceLoss: input probabilities must be in [0, 1], got 1.5",
            Assert.Throws<ArgumentException>(() => L.BinaryCrossEntropy(Tensor.FromArray([1.5f]), Tensor.FromArray([1f]))).Message);
        Assert.Contains("BceWithLogitsLoss: targets must be in [0, 1], got -1",
            Assert.Throws<ArgumentException>(() => L.BinaryCrossEntropyWithLogits(Tensor.Zeros(2), Tensor.FromArray([-1f, 1f]))).Message);
    }

    [Fact]
    public void HingeLabelsMustBePlusOrMinusOne()
    {
        var e = Assert.Throws<ArgumentException>(() => L.HingeLoss(Tensor.Zeros(3), Tensor.FromArray([1f, 0f, -1f])));
        Assert.Equal("HingeLoss: labels must be -1 or +1, got 0 at target element 1", e.Message);
    }

    [Fact]
    public void BadLossOptionsAreRejected()
    {
        Assert.Contains("label smoothing must be in [0, 1], got 1.5", Assert.Throws<ArgumentException>(() => new CrossEntropyLoss(labelSmoothing: 1.5f)).Message);
        Assert.Contains("p must be 1 or 2, got 3", Assert.Throws<ArgumentException>(() => new MultiMarginLoss(p: 3)).Message);
        Assert.Contains("delta must be positive, got 0", Assert.Throws<ArgumentException>(() => new HuberLoss(0f)).Message);
        Assert.Contains("beta must be non-negative, got -1", Assert.Throws<ArgumentException>(() => new SmoothL1Loss(-1f)).Message);
        Assert.Contains("class weight must be 1-d", Assert.Throws<ArgumentException>(() => new NllLoss(Tensor.Ones(2, 2))).Message);
        Assert.Contains("a loss needs a target", Assert.Throws<InvalidOperationException>(() => new MseLoss().Forward(Tensor.Zeros(1))).Message);
    }

    // ----- learning -----

    [Fact]
    public void MultiLabelLinearModelLearnsWithBceWithLogits()
    {
        // 28-label protein-style task in miniature: 8 features, 6 independent labels, each a linear threshold.
        const int n = 256, features = 8, labels = 6;
        var gen = new Generator(42);
        var x = Tensor.Randn(gen, n, features);
        var trueW = Tensor.Randn(gen, features, labels);
        var y = x.MatMul(trueW).Gt(0f);

        var w = new Parameter(Tensor.Zeros(features, labels));
        var b = new Parameter(Tensor.Zeros(labels));
        var loss = new BceWithLogitsLoss();
        var opt = new Adam([w, b], lr: 0.05f);
        float first = 0, last = 0;
        for (int epoch = 0; epoch < 150; epoch++)
        {
            opt.ZeroGrad();
            var l = loss.Call(x.MatMul(w) + b, y);
            if (epoch == 0) first = l.Item();
            last = l.Item();
            l.Backward();
            opt.Step();
        }
        float accuracy = (x.MatMul(w) + b).Gt(0f).Eq(y).Mean().Item();
        Assert.True(last < first / 4, $"loss went from {first} to {last}");
        Assert.True(accuracy >= 0.95f, $"per-label accuracy {accuracy}");
    }
}
