using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

/// <summary>Every Insight method leaves the model as found: modes, running statistics, RequiresGrad, gradients, hooks.</summary>
public class LeftAsFoundTests
{
    [Fact]
    public void NoMethodChangesTheModel()
    {
        var model = new Sequential(new Linear(6, 8, generator: new Generator(1)), new BatchNorm1d(8), new ReLU(), new Dropout(0.5f),
            new Linear(8, 3, generator: new Generator(2)));
        var frozen = model.Parameters().Last();
        frozen.RequiresGrad = false; // a user's frozen parameter stays frozen, the others stay trainable
        model.Train();
        model[3].Eval();
        var before = model.StateDict().ToDictionary(e => e.Key, e => e.Value.ToArray());
        var x = Tensor.Randn(new Generator(3), 5, 6);
        var y = Tensor.FromArray([0f, 1f, 2f, 1f, 0f]);
        var calls = new Action[]
        {
            () => Activations.Capture(model, x),
            () => ActivationStats.Compute(model, [x, x]),
            () => Attribution.Saliency(model, x, 1),
            () => Attribution.GradientTimesInput(model, x, y),
            () => Attribution.SmoothGrad(model, x, 2, samples: 3),
            () => Attribution.IntegratedGradients(model, x, y, steps: 4),
            () => Attribution.Occlusion(model, x, 0, window: 2, stride: 2),
            () => Adversarial.Fgsm(model, x, y, 0.1f, -5, 5),
            () => Adversarial.Pgd(model, x, y, 0.1f, 3, 0.05f, PgdNorm.L2, min: -5, max: 5),
            () => Adversarial.RobustnessCurve(model, x, y, [0f, 0.1f], AdversarialAttack.Pgd(2, min: -5, max: 5)),
            () => ActivationMaximization.ForClass(model, [6], 1, new ActivationMaximizationOptions { Steps = 3, Min = -3, Max = 3 }),
            () => ActivationMaximization.ForChannel(model, model[1], 4, [6], new ActivationMaximizationOptions { Steps = 3, Min = -3, Max = 3 }),
        };
        foreach (var call in calls)
        {
            call();
            Assert.Equal([true, true, true, true, false, true], model.NamedModules().Select(m => m.Module.Training));
            Assert.True(model.NamedModules().All(m => !m.Module.HasHooks));
            Assert.True(model.Parameters().All(p => p.Grad is null));
            Assert.Equal(model.Parameters().Select(p => p != frozen), model.Parameters().Select(p => p.RequiresGrad));
            foreach (var (name, value) in model.StateDict()) Assert.Equal(before[name], value.ToArray());
        }
    }

    [Fact]
    public void CallsFromSeveralThreadsOnOneModelTakeTurns()
    {
        var model = Models.Mlp(16, [12], 4);
        var inputs = Enumerable.Range(0, 8).Select(i => Tensor.Randn(new Generator((ulong)i), 3, 16)).ToArray();
        var expected = inputs.Select(x => Attribution.Saliency(model, x, 2).ToArray()).ToArray();
        var actual = new float[8][];
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i =>
        {
            for (int repeat = 0; repeat < 20; repeat++) actual[i] = Attribution.Saliency(model, inputs[i], 2).ToArray();
        });
        for (int i = 0; i < 8; i++) Assert.Equal(expected[i], actual[i]);
        Assert.True(model.NamedModules().All(m => m.Module.Training));
        Assert.True(model.Parameters().All(p => p.RequiresGrad));
        Assert.True(model.Parameters().All(p => p.Grad is null));
    }
}
