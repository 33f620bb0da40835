using Dendrite.NN;
using Dendrite.Optim;

namespace Dendrite.Tests.Optim;

public class OptimizerTests
{
    private static readonly Tensor Center = Tensor.FromArray([1f, -2f, 0.5f, 3f]);

    /// <summary>f(w) = Σ(w − c)²; returns its value after <paramref name="steps"/> updates from w = 0.</summary>
    private static float Minimise(Func<Parameter, Optimizer> make, int steps)
    {
        var w = new Parameter(Tensor.Zeros(4));
        var opt = make(w);
        for (int i = 0; i < steps; i++)
        {
            opt.ZeroGrad();
            (w - Center).Square().Sum().Backward();
            opt.Step();
        }
        return (w - Center).Square().Sum().Item();
    }

    public static TheoryData<string> Kinds => ["sgd", "sgd momentum", "sgd nesterov", "adagrad", "rmsprop", "rmsprop centered momentum", "adam", "adam amsgrad", "adamw"];

    private static Optimizer Make(string kind, Parameter[] ps, float wd = 0f) => kind switch
    {
        "sgd" => new Sgd(ps, 0.1f, weightDecay: wd),
        "sgd momentum" => new Sgd(ps, 0.05f, momentum: 0.9f, weightDecay: wd),
        "sgd nesterov" => new Sgd(ps, 0.05f, momentum: 0.9f, weightDecay: wd, nesterov: true),
        "adagrad" => new Adagrad(ps, lr: 0.5f, weightDecay: wd),
        "rmsprop" => new RmsProp(ps, lr: 0.05f, weightDecay: wd),
        "rmsprop centered momentum" => new RmsProp(ps, lr: 0.01f, momentum: 0.5f, centered: true, weightDecay: wd),
        "adam" => new Adam(ps, lr: 0.1f, weightDecay: wd),
        "adam amsgrad" => new Adam(ps, lr: 0.1f, amsgrad: true, weightDecay: wd),
        _ => new AdamW(ps, lr: 0.1f, weightDecay: wd),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ConvergesOnAQuadratic(string kind)
    {
        float start = Center.Square().Sum().Item();
        float end = Minimise(w => Make(kind, [w]), 300);
        Assert.True(end < 1e-3f * start, $"{kind}: f went from {start} to {end}");
    }

    [Fact]
    public void PlainSgdTakesTheTextbookStep()
    {
        var w = new Parameter(Tensor.FromArray([1f, 2f])) { Grad = Tensor.FromArray([0.5f, -1f]) };
        new Sgd([w], 0.1f).Step();
        Assert.Equal([0.95f, 2.1f], w.ToArray());
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ParametersWithoutGradientAreSkipped(string kind)
    {
        var w = new Parameter(Tensor.FromArray([1f, 2f, 3f, 4f]));
        var frozen = new Parameter(Tensor.FromArray([5f, 6f]));
        var opt = Make(kind, [w, frozen], wd: 0.5f);
        w.Grad = Tensor.Ones(4);
        opt.Step();
        opt.Step();
        Assert.Equal([5f, 6f], frozen.ToArray()); // weight decay alone must not move it either
        Assert.Equal(0, opt.StepCount(1));
        Assert.Equal(2, opt.StepCount(0));
        Assert.DoesNotContain("1.step", opt.StateDict().Keys);
        Assert.NotEqual([1f, 2f, 3f, 4f], w.ToArray());
    }

    [Fact]
    public void SteadyStateStepsDoNotAllocate()
    {
        var w = new Parameter(Tensor.Randn(new Generator(1), 100, 100)) { Grad = Tensor.Randn(new Generator(2), 100, 100) };
        foreach (var opt in new Optimizer[] { new Adam([w], amsgrad: true), new Sgd([w], 0.01f, momentum: 0.9f), new RmsProp([w], centered: true, momentum: 0.1f), new Adagrad([w]) })
        {
            opt.Step(); // allocates the state
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) opt.Step();
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            // One tensor's worth would be 40 KB a step; a few bytes of JIT noise are tolerated.
            Assert.True(allocated < 4000, $"{opt.GetType().Name}: {allocated} bytes in 20 steps");
        }
    }

    [Fact]
    public void StateDictRoundTripContinuesIdentically()
    {
        var gen = new Generator(9);
        var grads = Enumerable.Range(0, 4).Select(_ => Tensor.Randn(gen, 3, 2)).ToArray();
        var a = new Parameter(Tensor.Randn(gen, 3, 2));
        var optA = new Adam([a], lr: 0.1f, amsgrad: true);
        for (int i = 0; i < 2; i++) { a.Grad = grads[i]; optA.Step(); }
        var state = optA.StateDict();
        Assert.Equal(["0.exp_avg", "0.exp_avg_sq", "0.max_exp_avg_sq", "0.step", "lr"], state.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2f, state["0.step"].Item());

        var b = new Parameter(a);
        var optB = new Adam([b], lr: 0.5f, amsgrad: true);
        optB.LoadStateDict(state);
        Assert.Equal(0.1f, optB.LearningRate);
        Assert.Equal(2, optB.StepCount(0));
        for (int i = 2; i < 4; i++)
        {
            a.Grad = grads[i]; optA.Step();
            b.Grad = grads[i]; optB.Step();
        }
        Assert.Equal(a.ToArray(), b.ToArray());
    }

    [Fact]
    public void StateDictIsACopyAndMismatchesAreReported()
    {
        var w = new Parameter(Tensor.Zeros(2)) { Grad = Tensor.Ones(2) };
        var opt = new Sgd([w], 0.1f, momentum: 0.9f);
        opt.Step();
        var state = opt.StateDict();
        opt.Step();
        Assert.Equal([1f, 1f], state["0.momentum_buffer"].ToArray()); // not changed by the later step

        var other = new Sgd([new Parameter(Tensor.Zeros(3))], 0.1f, momentum: 0.9f);
        var e = Assert.Throws<ArgumentException>(() => other.LoadStateDict(state));
        Assert.Contains("0.momentum_buffer: expected shape [3], got [2]", e.Message);
        Assert.Equal(0, other.StepCount(0));
        var noMomentum = new Sgd([new Parameter(Tensor.Zeros(2))], 0.1f);
        Assert.Contains("unexpected 0.momentum_buffer", Assert.Throws<ArgumentException>(() => noMomentum.LoadStateDict(state)).Message);
    }

    [Fact]
    public void GradientOfTheWrongShapeIsReported()
    {
        var w = new Parameter(Tensor.Zeros(2, 2)) { Grad = Tensor.Zeros(4) };
        var e = Assert.Throws<InvalidOperationException>(() => new Sgd([w], 0.1f).Step());
        Assert.Contains("gradient of shape [4] does not match its parameter of shape [2,2]", e.Message);
    }

    [Fact]
    public void NonContiguousGradientsAreRead()
    {
        var w = new Parameter(Tensor.Zeros(2, 3)) { Grad = Tensor.FromArray(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }).T };
        new Sgd([w], 1f).Step();
        Assert.Equal([-1f, -3f, -5f, -2f, -4f, -6f], w.ToArray());
    }

    public static TheoryData<string, string> BadHyperParameters => new()
    {
        { "sgd lr", "Sgd: learning rate must be positive, got -0.1" },
        { "sgd nesterov", "Sgd: Nesterov momentum requires a momentum > 0 and zero dampening" },
        { "sgd nesterov dampening", "Sgd: Nesterov momentum requires a momentum > 0 and zero dampening" },
        { "sgd momentum", "Sgd: momentum must be non-negative, got -0.5" },
        { "sgd dampening", "Sgd: dampening must be non-negative, got NaN" },
        { "sgd weight decay", "Sgd: weight decay must be non-negative, got -1" },
        { "adagrad lr", "Adagrad: learning rate must be positive, got 0" },
        { "adagrad lr decay", "Adagrad: learning rate decay must be non-negative, got -1" },
        { "adagrad accumulator", "Adagrad: initial accumulator value must be non-negative, got -0.1" },
        { "adagrad eps", "Adagrad: epsilon must be non-negative, got -1E-10" },
        { "adagrad weight decay", "Adagrad: weight decay must be non-negative, got -0.1" },
        { "rmsprop alpha", "RmsProp: alpha must be in [0, 1], got 1.5" },
        { "rmsprop eps", "RmsProp: epsilon must be non-negative, got -1" },
        { "rmsprop momentum", "RmsProp: momentum must be non-negative, got -0.9" },
        { "rmsprop weight decay", "RmsProp: weight decay must be non-negative, got Infinity" },
        { "rmsprop lr", "RmsProp: learning rate must be positive, got NaN" },
        { "adam beta1", "Adam: beta1 must be in [0, 1), got 1.5" },
        { "adam beta2", "Adam: beta2 must be in [0, 1), got 1" },
        { "adam eps", "Adam: epsilon must be non-negative, got -1E-08" },
        { "adam weight decay", "Adam: weight decay must be non-negative, got -0.01" },
        { "adamw beta1", "AdamW: beta1 must be in [0, 1), got -0.1" },
        { "adamw weight decay", "AdamW: weight decay must be non-negative, got -0.01" },
        { "empty", "Sgd: the optimizer got an empty parameter list" },
    };

    [Theory]
    [MemberData(nameof(BadHyperParameters))]
    public void BadHyperParametersAreRejected(string which, string message)
    {
        Parameter[] p = [new Parameter(Tensor.Zeros(1))];
        Action make = which switch
        {
            "sgd lr" => () => _ = new Sgd(p, -0.1f),
            "sgd nesterov" => () => _ = new Sgd(p, 0.1f, nesterov: true),
            "sgd nesterov dampening" => () => _ = new Sgd(p, 0.1f, momentum: 0.9f, dampening: 0.1f, nesterov: true),
            "sgd momentum" => () => _ = new Sgd(p, 0.1f, momentum: -0.5f),
            "sgd dampening" => () => _ = new Sgd(p, 0.1f, dampening: float.NaN),
            "sgd weight decay" => () => _ = new Sgd(p, 0.1f, weightDecay: -1f),
            "adagrad lr" => () => _ = new Adagrad(p, lr: 0f),
            "adagrad lr decay" => () => _ = new Adagrad(p, lrDecay: -1f),
            "adagrad accumulator" => () => _ = new Adagrad(p, initialAccumulatorValue: -0.1f),
            "adagrad eps" => () => _ = new Adagrad(p, eps: -1e-10f),
            "adagrad weight decay" => () => _ = new Adagrad(p, weightDecay: -0.1f),
            "rmsprop alpha" => () => _ = new RmsProp(p, alpha: 1.5f),
            "rmsprop eps" => () => _ = new RmsProp(p, eps: -1f),
            "rmsprop momentum" => () => _ = new RmsProp(p, momentum: -0.9f),
            "rmsprop weight decay" => () => _ = new RmsProp(p, weightDecay: float.PositiveInfinity),
            "rmsprop lr" => () => _ = new RmsProp(p, lr: float.NaN),
            "adam beta1" => () => _ = new Adam(p, beta1: 1.5f),
            "adam beta2" => () => _ = new Adam(p, beta2: 1f),
            "adam eps" => () => _ = new Adam(p, eps: -1e-8f),
            "adam weight decay" => () => _ = new Adam(p, weightDecay: -0.01f),
            "adamw beta1" => () => _ = new AdamW(p, beta1: -0.1f),
            "adamw weight decay" => () => _ = new AdamW(p, weightDecay: -0.01f),
            "empty" => () => _ = new Sgd(Array.Empty<Parameter>(), 0.1f),
            _ => throw new InvalidOperationException(which),
        };
        var e = Assert.Throws<ArgumentException>(make);
        Assert.StartsWith(message, e.Message);
    }
}
