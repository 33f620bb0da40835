using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.NN;

/// <summary>
/// Sequential's Conv2d → BatchNorm2d → ReLU (→ MaxPool2d) step: in evaluation without a graph the batch norm is
/// folded into the convolution, which must agree with the layers run one by one up to rounding and follow
/// every change of the parameters and running statistics; in training and with a graph it runs the layers.
/// </summary>
public class BatchNormFusionTests
{
    private static (Sequential Model, Tensor X) Network(bool pool)
    {
        var g = new Generator(3);
        var model = new Sequential(new Conv2d(4, 8, 3, padding: 1, generator: g), new BatchNorm2d(8), new ReLU());
        if (pool) model.Add(new MaxPool2d(2));
        var bn = (BatchNorm2d)model[1];
        using (GradMode.NoGrad())
        {
            bn.RunningMean!.CopyFrom_(Tensor.Randn(g, 8));
            bn.RunningVar!.CopyFrom_(Tensor.Rand(g, 8) + 0.5f);
            bn.Weight!.CopyFrom_(Tensor.Randn(g, 8));
            bn.Bias!.CopyFrom_(Tensor.Randn(g, 8));
        }
        return (model, Tensor.Randn(g, 3, 4, 10, 10));
    }

    // The layers one by one: a hook on a child turns Sequential's fusion off.
    private static float[] Unfused(Sequential model, Tensor x)
    {
        using var hook = model[2].RegisterForwardHook((_, _, _) => null);
        return model.Forward(x).ToArray();
    }

    private static void Close(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FoldedInferenceMatchesTheLayersAndFollowsTheirChanges(bool pool)
    {
        var (model, x) = Network(pool);
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        Close(Unfused(model, x), model.Forward(x).ToArray());
        // A change to any of the folded tensors must reach the next call.
        var bn = (BatchNorm2d)model[1];
        bn.RunningVar!.Mul_(4f);
        Close(Unfused(model, x), model.Forward(x).ToArray());
        ((Conv2d)model[0]).Weight.Mul_(-1f);
        bn.Bias!.Add_(Tensor.Ones(8));
        Close(Unfused(model, x), model.Forward(x).ToArray());
    }

    [Fact]
    public void TrainingAndGraphsRunTheLayers()
    {
        var (model, x) = Network(pool: true);
        // Evaluation with a graph (saliency, adversarial inputs): the input's gradient flows through the layers.
        model.Eval();
        var xi = x.Clone().RequiresGrad_();
        var y = model.Forward(xi);
        Assert.NotNull(y.GradFn);
        y.Sum().Backward();
        Assert.NotNull(xi.Grad);
        // Training uses the batch's statistics: the same bits as the layers one by one.
        model.Train();
        Assert.Equal(Unfused(model, x), model.Forward(x).ToArray());
    }
}
