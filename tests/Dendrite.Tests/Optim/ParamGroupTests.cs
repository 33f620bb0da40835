using Dendrite.NN;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;

namespace Dendrite.Tests.Optim;

/// <summary>Parameter groups: their own hyper-parameters, state, state dicts and errors (PyTorch parity is in OptimizerParityTests).</summary>
public class ParamGroupTests
{
    [Fact]
    public void EachGroupStepsWithItsOwnLearningRateAndWeightDecay()
    {
        var a = new Parameter(Tensor.FromArray([1f, 2f])) { Grad = Tensor.FromArray([0.5f, -1f]) };
        var b = new Parameter(Tensor.FromArray([4f])) { Grad = Tensor.FromArray([1f]) };
        var opt = new Sgd([new ParamGroup([a]), new ParamGroup([b], lr: 0.5f, weightDecay: 0.25f)], lr: 0.1f);
        opt.Step();
        Assert.Equal([0.95f, 2.1f], a.ToArray());           // p − 0.1·g
        Assert.Equal([4f - 0.5f * (1f + 0.25f * 4f)], b.ToArray()); // p − 0.5·(g + 0.25·p)
        Assert.Equal([0.1f, 0.5f], opt.ParamGroups.Select(g => g.LearningRate));
        Assert.Equal([0f, 0.25f], opt.ParamGroups.Select(g => g.WeightDecay!.Value));
        Assert.Equal([a, b], opt.Parameters);
    }

    [Fact]
    public void TheOptimizerKeepsItsOwnCopyWithEverySettingFilledIn()
    {
        var given = new ParamGroup([new Parameter(Tensor.Zeros(1))], beta1: 0.5f);
        var opt = new Adam([given], lr: 0.01f, beta2: 0.9f, amsgrad: true);
        var own = opt.ParamGroups[0];
        Assert.NotSame(given, own);
        Assert.Equal((0.5f, 0.9f, 1e-8f, 0f, true), (own.Beta1, own.Beta2, own.Eps, own.WeightDecay, own.Amsgrad));
        Assert.Null(own.Momentum); // Adam has none
        Assert.Equal(0.01f, own.LearningRate);
        Assert.Throws<InvalidOperationException>(() => given.LearningRate); // the given group never had one
        opt.LearningRate = 0.5f;
        Assert.Equal(0.5f, own.LearningRate);
    }

    [Fact]
    public void StateIsKeptOnlyWhereAGroupsSettingsNeedIt()
    {
        var a = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.Ones(2) };
        var b = new Parameter(Tensor.Zeros(3)) { Grad = Tensor.Ones(3) };
        var opt = new Sgd([new ParamGroup([a], momentum: 0.9f), new ParamGroup([b])], lr: 0.1f);
        opt.Step();
        Assert.Equal(["0.momentum_buffer", "0.step", "1.step", "lr", "param_group_sizes"], opt.StateDict().Keys.Order(StringComparer.Ordinal));

        var rms = new RmsProp([new ParamGroup([a], centered: true), new ParamGroup([b], momentum: 0.5f)]);
        rms.Step();
        Assert.Equal(["0.grad_avg", "0.square_avg", "0.step", "1.momentum_buffer", "1.square_avg", "1.step", "lr", "param_group_sizes"],
            rms.StateDict().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void StateDictCarriesEveryGroupsLearningRateAndContinuesIdentically()
    {
        var gen = new Generator(3);
        var grads = Enumerable.Range(0, 6).Select(_ => Tensor.Randn(gen, 2, 2)).ToArray();
        var (a1, b1) = (new Parameter(Tensor.Randn(gen, 2, 2)), new Parameter(Tensor.Randn(gen, 2, 2)));
        Adam Make(Parameter a, Parameter b) =>
            new([new ParamGroup([a], lr: 0.05f), new ParamGroup([b], weightDecay: 0.1f, amsgrad: true)], lr: 0.01f);
        var first = Make(a1, b1);
        var scheduler = new StepLR(first, stepSize: 1, gamma: 0.5f);
        for (int i = 0; i < 3; i++) { a1.Grad = grads[i]; b1.Grad = grads[i + 3]; first.Step(); }
        scheduler.Step();
        var state = first.StateDict();
        Assert.Equal([0.025f, 0.005f], state["lr"].ToArray());
        Assert.Equal([1f, 1f], state["param_group_sizes"].ToArray());

        var (a2, b2) = (new Parameter(a1), new Parameter(b1));
        var second = Make(a2, b2);
        second.LoadStateDict(state);
        Assert.Equal([0.025f, 0.005f], second.ParamGroups.Select(g => g.LearningRate));
        for (int i = 0; i < 3; i++)
        {
            a1.Grad = a2.Grad = grads[5 - i];
            b1.Grad = b2.Grad = grads[i];
            first.Step();
            second.Step();
        }
        Assert.Equal(a1.ToArray(), a2.ToArray());
        Assert.Equal(b1.ToArray(), b2.ToArray());

        var oneGroup = new Adam([a2, b2], amsgrad: true);
        var error = Assert.Throws<ArgumentException>(() => oneGroup.LoadStateDict(state)).Message;
        Assert.Contains("lr must be one non-negative value, got shape [2]", error);
        Assert.Contains("unexpected param_group_sizes", error);
        var otherSizes = new Adam([new ParamGroup([a2, b2]), new ParamGroup([])]);
        Assert.Contains("param_group_sizes: expected [2,0], got [1,1]",
            Assert.Throws<ArgumentException>(() => otherSizes.LoadStateDict(state)).Message);
    }

    [Fact]
    public void MistakesAreReportedWithTheGroup()
    {
        var a = new Parameter(Tensor.Zeros(2));
        var b = new Parameter(Tensor.Zeros(3));
        void Throws(string message, Action make) => Assert.StartsWith(message, Assert.Throws<ArgumentException>(make).Message);
        Throws("Sgd: a parameter of shape [2] is in more than one parameter group",
            () => _ = new Sgd([new ParamGroup([a]), new ParamGroup([b, a])], 0.1f));
        Throws("Sgd: parameter group 1 sets beta1, which Sgd does not have",
            () => _ = new Sgd([new ParamGroup([a]), new ParamGroup([b], beta1: 0.5f)], 0.1f));
        Throws("Adam: learning rate must be positive, got 0 in parameter group 1",
            () => _ = new Adam([new ParamGroup([a]), new ParamGroup([b], lr: 0f)]));
        Throws("Sgd: momentum must be non-negative, got -1 in parameter group 0",
            () => _ = new Sgd([new ParamGroup([a], momentum: -1f), new ParamGroup([b])], 0.1f));
        Throws("Sgd: Nesterov momentum requires a momentum > 0 and zero dampening, got momentum 0 and dampening 0 in parameter group 1",
            () => _ = new Sgd([new ParamGroup([a], momentum: 0.9f), new ParamGroup([b], momentum: 0f)], 0.1f, nesterov: true));
        Throws("RmsProp: alpha must be in [0, 1], got 2", () => _ = new RmsProp([new ParamGroup([a], alpha: 2f)]));
        Throws("Sgd: the optimizer got an empty parameter list", () => _ = new Sgd([new ParamGroup([]), new ParamGroup([])], 0.1f));
        Throws("ParamGroup: a learning rate must be non-negative and finite, got NaN",
            () => new Sgd([a], 0.1f).ParamGroups[0].LearningRate = float.NaN);
    }

    [Fact]
    public void SteadyStateStepsOverSeveralGroupsDoNotAllocate()
    {
        var w = new Parameter(Tensor.Randn(new Generator(1), 100, 100)) { Grad = Tensor.Randn(new Generator(2), 100, 100) };
        var v = new Parameter(Tensor.Randn(new Generator(3), 50)) { Grad = Tensor.Randn(new Generator(4), 50) };
        var opt = new Adam([new ParamGroup([w], lr: 0.01f), new ParamGroup([v], weightDecay: 0.1f, amsgrad: true)]);
        opt.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++) opt.Step();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4000, $"{allocated} bytes in 20 steps");
    }
}
