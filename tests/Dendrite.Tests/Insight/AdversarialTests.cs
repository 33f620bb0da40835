using Dendrite.Insight;
using Dendrite.NN;

namespace Dendrite.Tests.Insight;

/// <summary>FGSM and PGD against the trained LeNet-5 on 500 test digits, and their argument checks.</summary>
[Collection(TrainedLeNetCollection.Name)]
public class AdversarialTests(TrainedLeNet net)
{
    [Fact]
    public void FgsmAndPgdAtEpsilonPointOneBreakTheTrainedLeNet()
    {
        float clean = net.Accuracy(net.Inputs);
        var fgsm = Adversarial.Fgsm(net.Model, net.Inputs, net.Labels, 0.1f);
        var pgd = Adversarial.Pgd(net.Model, net.Inputs, net.Labels, 0.1f, steps: 10, stepSize: 0.025f);
        float fgsmAccuracy = net.Accuracy(fgsm), pgdAccuracy = net.Accuracy(pgd);
        Assert.True(clean > 0.9f, $"clean accuracy {clean}");
        Assert.True(fgsmAccuracy < clean - 0.3f, $"FGSM accuracy {fgsmAccuracy} (clean {clean})");
        Assert.True(pgdAccuracy < fgsmAccuracy, $"PGD accuracy {pgdAccuracy}, FGSM {fgsmAccuracy}");
        // Within the ε-ball and the pixel range.
        var x = net.Inputs.ToArray();
        foreach (var adversarial in new[] { fgsm.ToArray(), pgd.ToArray() })
            for (int k = 0; k < x.Length; k++)
            {
                Assert.InRange(adversarial[k], 0f, 1f);
                Assert.InRange(adversarial[k] - x[k], -0.1f - 1e-6f, 0.1f + 1e-6f);
            }
    }

    [Fact]
    public void BadArgumentsGetOneClearError()
    {
        var x = net.Inputs.Narrow(0, 0, 2);
        var y = net.Labels.Narrow(0, 0, 2);
        Assert.Contains("Adversarial.Fgsm: epsilon must be a finite number ≥ 0, got -0.1",
            Assert.Throws<ArgumentOutOfRangeException>(() => Adversarial.Fgsm(net.Model, x, y, -0.1f)).Message);
        Assert.Contains("Adversarial.Fgsm: the model's first layer is a Conv2d with 1 input channel(s), so it takes a batch [N, 1, H, W] or one sample [1, H, W]; got shape [2,28,28]",
            Assert.Throws<ArgumentException>(() => Adversarial.Fgsm(net.Model, x.Reshape(2, 28, 28), y, 0.1f)).Message);
        Assert.Contains("Adversarial.Fgsm: labels must have shape [2], one class per sample; got shape [3]",
            Assert.Throws<ArgumentException>(() => Adversarial.Fgsm(net.Model, x, Tensor.Zeros(3), 0.1f)).Message);
        Assert.Contains("Adversarial.Pgd: labels[1] = 10 is not a class of a model with 10 outputs (0 to 9)",
            Assert.Throws<ArgumentException>(() => Adversarial.Pgd(net.Model, x, Tensor.FromArray([1f, 10f]), 0.1f, 2, 0.05f)).Message);
        Assert.Contains("Adversarial.Fgsm: the input holds NaN or infinity",
            Assert.Throws<ArgumentException>(() => Adversarial.Fgsm(net.Model, x * float.NaN, y, 0.1f)).Message);
    }

    [Fact]
    public void OneSampleGivesOneSampleAndTheModelIsLeftAsFound()
    {
        net.Model.Train();
        var x = net.Inputs[0];
        var adversarial = Adversarial.Fgsm(net.Model, x, net.Labels.Narrow(0, 0, 1), 0.2f);
        Assert.Equal(x.Shape, adversarial.Shape);
        Assert.True(net.Model.NamedModules().All(m => m.Module.Training && !m.Module.HasHooks));
        Assert.True(net.Model.Parameters().All(p => p.RequiresGrad && (p.Grad is null || p.Grad.ToArray().All(v => v == 0))));
        net.Model.Eval();
        Assert.True(net.Model.NamedModules().All(m => !m.Module.Training));
    }
}
