using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;

namespace Dendrite.Tests.NN;

/// <summary>
/// The functional forms against their modules (same bits: the modules call them), their own checks, and the
/// layers' ResetParameters.
/// </summary>
public class FunctionalTests
{
    private static Tensor R(ulong seed, params int[] shape) => Tensor.Randn(new Generator(seed), shape);

    [Fact]
    public void Conv2dAndPoolingMatchTheirModules()
    {
        var conv = new Conv2d(4, 6, (3, 2), stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 2, generator: new Generator(3));
        var x = R(1, 2, 4, 7, 8);
        Assert.Equal(conv.Forward(x).ToArray(),
            Functional.Conv2d(x, conv.Weight, conv.Bias, stride: (2, 1), padding: (1, 0), dilation: (1, 2), groups: 2).ToArray());
        var same = new Conv2d(4, 4, 3, padding: Padding2d.Same, bias: false, generator: new Generator(4));
        Assert.Equal(same.Forward(x[0]).ToArray(), Functional.Conv2d(x[0], same.Weight, padding: Padding2d.Same).ToArray());

        Assert.Equal(new MaxPool2d(3, 2, 1, 2).Forward(x).ToArray(), Functional.MaxPool2d(x, 3, 2, 1, 2).ToArray());
        Assert.Equal(new MaxPool2d(2).Forward(x[1]).ToArray(), Functional.MaxPool2d(x[1], 2).ToArray());
        Assert.Equal(new AvgPool2d(3, 1, 1, countIncludePad: false).Forward(x).ToArray(),
            Functional.AvgPool2d(x, 3, 1, 1, countIncludePad: false).ToArray());
        Assert.Equal(new AdaptiveAvgPool2d((2, 3)).Forward(x[0]).ToArray(), Functional.AdaptiveAvgPool2d(x[0], (2, 3)).ToArray());
    }

    [Fact]
    public void Conv2dNamesTheOpAndBothShapes()
    {
        var weight = Tensor.Zeros(8, 3, 3, 3);
        var channels = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(2, 4, 8, 8), weight)).Message;
        Assert.StartsWith("Conv2d: expected input [N,3,H,W] or [3,H,W]", channels);
        Assert.Contains("[8,3,3,3]", channels);
        Assert.Contains("[2,4,8,8]", channels);
        var rank = Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(2, 3, 8, 8), Tensor.Zeros(8, 27))).Message;
        Assert.Contains("[8,27]", rank);
        Assert.Contains("[2,3,8,8]", rank);
        Assert.Contains("groups", Assert.Throws<ArgumentException>(() => Functional.Conv2d(Tensor.Zeros(1, 3, 8, 8), weight, groups: 0)).Message);
        Assert.Contains("MaxPool2d: input", Assert.Throws<ArgumentException>(() => Functional.MaxPool2d(Tensor.Zeros(1, 1, 2, 2), 3)).Message);
    }

    [Fact]
    public void BatchNormMatchesTheModuleInTrainingAndEvaluation()
    {
        var bn = new BatchNorm2d(3, momentum: 0.2f);
        Init.Uniform_(bn.Weight!, 0.5f, 1.5f, new Generator(1));
        Init.Uniform_(bn.Bias!, -1f, 1f, new Generator(2));
        var x = R(5, 4, 3, 2, 2) * 2f + 1f;
        var mean = Tensor.Zeros(3);
        var variance = Tensor.Ones(3);

        var expected = bn.Forward(x);
        var actual = Functional.BatchNorm(x, mean, variance, bn.Weight, bn.Bias, training: true, momentum: 0.2f);
        Assert.Equal(expected.ToArray(), actual.ToArray());
        Assert.Equal(bn.RunningMean!.ToArray(), mean.ToArray());
        Assert.Equal(bn.RunningVar!.ToArray(), variance.ToArray());

        bn.Eval();
        Assert.Equal(bn.Forward(x).ToArray(), Functional.BatchNorm(x, mean, variance, bn.Weight, bn.Bias).ToArray());
        Assert.Equal(1f, bn.NumBatchesTracked!.Item()); // counted in training only
    }

    [Fact]
    public void BatchNormWithoutRunningStatisticsUsesTheBatchAndChecksItsArguments()
    {
        var x = R(6, 5, 2);
        var y = Functional.BatchNorm(x, null, null, training: true);
        Assert.All(y.Mean(0).ToArray(), m => Assert.InRange(m, -1e-5f, 1e-5f));
        var shift = Functional.BatchNorm(x, null, null, bias: Tensor.FromArray([1f, 2f]), training: true);
        // β joins the normalisation's fused multiply-add (y = x·a + (β − μ·a)), so it is exact only to rounding.
        var shifted = (y + Tensor.FromArray([1f, 2f])).ToArray();
        var fused = shift.ToArray();
        for (int i = 0; i < fused.Length; i++) Assert.Equal(shifted[i], fused[i], 1e-5f);

        Assert.Contains("running_mean and running_var",
            Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, null, null)).Message);
        var channels = Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, Tensor.Zeros(3), Tensor.Ones(3))).Message;
        Assert.Equal("BatchNorm: running_mean of shape [3] does not match the 2 channels (axis 1) of input [5,2]", channels);
        Assert.Contains("more than 1 value per channel",
            Assert.Throws<ArgumentException>(() => Functional.BatchNorm(R(7, 1, 2), null, null, training: true)).Message);
        Assert.Contains("both", Assert.Throws<ArgumentException>(() => Functional.BatchNorm(x, Tensor.Zeros(2), null, training: true)).Message);
    }

    [Fact]
    public void LossesAreFunctionalFormsOfTheModules()
    {
        var logits = R(8, 4, 3);
        var labels = Tensor.FromArray([0f, 2f, 1f, 2f]);
        Assert.Equal(new CrossEntropyLoss(labelSmoothing: 0.1f).Forward(logits, labels).Item(),
            Functional.CrossEntropy(logits, labels, labelSmoothing: 0.1f).Item());
        var probabilities = R(9, 4, 3).Sigmoid();
        var targets = R(10, 4, 3).Sigmoid();
        Assert.Equal(new BceLoss(reduction: Reduction.Sum).Forward(probabilities, targets).Item(),
            Functional.BinaryCrossEntropy(probabilities, targets, reduction: Reduction.Sum).Item());
        Assert.Equal(new HuberLoss(0.5f, Reduction.None).Forward(logits, targets).ToArray(),
            Functional.HuberLoss(logits, targets, delta: 0.5f, reduction: Reduction.None).ToArray());
    }

    [Fact]
    public void ReduceIsTheMeanTheSumOrTheValuesThemselves()
    {
        var values = Tensor.FromArray([1f, 2f, 6f]);
        Assert.Equal(3f, Functional.Reduce(values, Reduction.Mean).Item());
        Assert.Equal(9f, Functional.Reduce(values, Reduction.Sum).Item());
        Assert.Same(values, Functional.Reduce(values, Reduction.None));
        Assert.Throws<ArgumentOutOfRangeException>(() => Functional.Reduce(values, (Reduction)7));
    }

    [Fact]
    public void ResetParametersDrawsWhatASeededConstructorDraws()
    {
        var linear = new Linear(5, 3, generator: new Generator(1));
        var fresh = linear.Weight.ToArray().Concat(linear.Bias!.ToArray()).ToArray();
        Init.Zeros_(linear.Weight);
        linear.ResetParameters(new Generator(1));
        Assert.Equal(fresh, linear.Weight.ToArray().Concat(linear.Bias!.ToArray()).ToArray());

        var conv = new Conv2d(4, 2, 3, groups: 2, generator: new Generator(2));
        var convWeight = conv.Weight.ToArray();
        conv.ResetParameters(new Generator(2));
        Assert.Equal(convWeight, conv.Weight.ToArray());
        float bound = 1f / MathF.Sqrt(2 * 3 * 3); // fan_in = C_in/groups·kh·kw
        Assert.All(conv.Bias!.ToArray(), b => Assert.InRange(b, -bound, bound));

        var maxout = new Maxout(3, 2, 2, generator: new Generator(3));
        var maxoutWeight = maxout.Weight.ToArray();
        maxout.ResetParameters(new Generator(3));
        Assert.Equal(maxoutWeight, maxout.Weight.ToArray());
    }

    [Fact]
    public void BatchNormResetsItsStatisticsAndAffineParameters()
    {
        var bn = new BatchNorm1d(2);
        bn.Forward(R(1, 4, 2) * 3f + 2f);
        Init.Constant_(bn.Weight!, 5f);
        bn.ResetParameters();
        Assert.Equal([0f, 0f], bn.RunningMean!.ToArray());
        Assert.Equal([1f, 1f], bn.RunningVar!.ToArray());
        Assert.Equal(0f, bn.NumBatchesTracked!.Item());
        Assert.Equal([1f, 1f], bn.Weight!.ToArray());
        Assert.Equal([0f, 0f], bn.Bias!.ToArray());
    }

    [Fact]
    public void TheFusionPassFollowsChangesToTheSequential()
    {
        var linear = new Linear(3, 4, generator: new Generator(5));
        var model = new Sequential(linear);
        var x = R(6, 2, 3);
        using var noGrad = GradMode.NoGrad();
        var plain = model.Forward(x).ToArray();
        Assert.Contains(plain, v => v < 0);
        model.Add(new ReLU());
        Assert.Equal(plain.Select(v => MathF.Max(v, 0f)).ToArray(), model.Forward(x).ToArray());
        Assert.Equal(2, Fusion.Plan([linear, new ReLU(), new Tanh()]).Length);
        Assert.Single(Fusion.Plan([new Conv2d(1, 1, 1), new ReLU(), new MaxPool2d(2)]));
        Assert.Equal(3, Fusion.Plan([new ReLU(), new Linear(1, 1), new Tanh()]).Length);
    }
}
