using System.Text.Json;
using Dendrite.NN;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;

namespace Dendrite.Tests.Parity;

/// <summary>
/// Optimizers (three steps, one parameter skipped on step 2), LR schedulers (12 epochs) and gradient clipping
/// against PyTorch 1.13 (tools/parity/optimizers.py).
/// </summary>
public class OptimizerParityTests
{
    private const string File = "optimizers.json";

    public static IEnumerable<object[]> Cases => ParityFixture.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ParityFixture.Load(File)[name];
        switch (c.Text("kind"))
        {
            case "step" or "exponential" or "cosine" or "plateau": CheckScheduler(c); break;
            case "clip_norm" or "clip_value": CheckClipping(c); break;
            case "groups_step" or "groups_cosine" or "groups_plateau": CheckGroupScheduler(c); break;
            default: CheckOptimizer(c); break;
        }
    }

    private static void CheckOptimizer(ParityCase c)
    {
        // w and b in one group, or (kind "groups") w in group 0 and b in group 1, each with the settings of
        // PyTorch's param_groups; the optimizer's arguments are the case's options (its "defaults" for groups).
        var w = new Parameter(c.Tensor("w0"));
        var b = new Parameter(c.Tensor("b0"));
        bool grouped = c.Text("kind") == "groups";
        float? Get(JsonElement e, string name) => e.TryGetProperty(name, out var v) ? (float)v.GetDouble() : null;
        Func<string, float?> option = grouped ? name => Get(c.Attr("defaults"), name) : name => c.HasAttr(name) ? (float)c.Number(name) : null;
        float F(string name, float fallback) => option(name) ?? fallback;
        bool B(string name) => option(name) is { } v && v != 0;
        ParamGroup Group(Parameter p, JsonElement e)
        {
            bool? Flag(string name) => Get(e, name) is { } v ? v != 0 : null;
            return new([p], lr: Get(e, "lr"), weightDecay: Get(e, "weight_decay"), momentum: Get(e, "momentum"),
                dampening: Get(e, "dampening"), nesterov: Flag("nesterov"), beta1: Get(e, "beta1"), beta2: Get(e, "beta2"),
                eps: Get(e, "eps"), amsgrad: Flag("amsgrad"), alpha: Get(e, "alpha"), centered: Flag("centered"), lrDecay: Get(e, "lr_decay"));
        }
        var settings = grouped ? c.Attr("groups").EnumerateArray().ToArray() : [];
        ParamGroup[] groups = grouped ? [Group(w, settings[0]), Group(b, settings[1])] : [new ParamGroup([w, b])];
        float lr = F("lr", 0);
        Optimizer opt = (grouped ? c.Text("optimizer") : c.Text("kind")) switch
        {
            "sgd" => new Sgd(groups, lr, F("momentum", 0), F("dampening", 0), F("weight_decay", 0), B("nesterov")),
            "adagrad" => new Adagrad(groups, lr, F("lr_decay", 0), F("weight_decay", 0), F("initial_accumulator_value", 0), F("eps", 1e-10f)),
            "rmsprop" => new RmsProp(groups, lr, F("alpha", 0.99f), F("eps", 1e-8f), F("weight_decay", 0), F("momentum", 0), B("centered")),
            "adam" => new Adam(groups, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), F("weight_decay", 0), B("amsgrad")),
            "adamw" => new AdamW(groups, lr, F("beta1", 0.9f), F("beta2", 0.999f), F("eps", 1e-8f), F("weight_decay", 1e-2f), B("amsgrad")),
            var k => throw new InvalidOperationException($"unknown optimizer {k}"),
        };
        Assert.Equal(groups.Length, opt.ParamGroups.Count);
        if (grouped) Assert.Equal(Get(settings[1], "lr") ?? lr, opt.ParamGroups[1].LearningRate);
        for (int step = 1; step <= 3; step++)
        {
            w.Grad = c.Tensor($"gw{step}");
            b.Grad = c.Has($"gb{step}") ? c.Tensor($"gb{step}") : null;
            opt.Step();
            ParityAssert.Close(c.Tensor($"w{step}"), w, $"{c.Name}: w after step {step}");
            ParityAssert.Close(c.Tensor($"b{step}"), b, $"{c.Name}: b after step {step}");
        }
        Assert.Equal(3, opt.StepCount(0));
        Assert.Equal(2, opt.StepCount(1));
    }

    private static void CheckGroupScheduler(ParityCase c)
    {
        var baseLRs = c.Attr("group_lrs").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray();
        var opt = new Sgd([new ParamGroup([new Parameter(Tensor.Zeros(1))]), new ParamGroup([new Parameter(Tensor.Zeros(1))], lr: baseLRs[1])],
            baseLRs[0]);
        var expected = c.Attr("lrs").EnumerateArray().SelectMany(e => e.EnumerateArray().Select(v => (float)v.GetDouble())).ToArray();
        var actual = new List<float>();
        if (c.Text("kind") == "groups_plateau")
        {
            var plateau = new ReduceLROnPlateau(opt, PlateauMode.Min, (float)c.Number("factor"), (int)c.Number("patience"),
                (float)c.Number("threshold"), ThresholdMode.Rel, (int)c.Number("cooldown"), (float)c.Number("min_lr"));
            foreach (var metric in c.Attr("metrics").EnumerateArray().Select(e => e.GetDouble()))
            {
                plateau.Step(metric);
                actual.AddRange(plateau.LastLRs);
            }
        }
        else
        {
            LRScheduler scheduler = c.Text("kind") == "groups_step"
                ? new StepLR(opt, (int)c.Number("step_size"), (float)c.Number("gamma"))
                : new CosineAnnealingLR(opt, (int)c.Number("t_max"), (float)c.Number("eta_min"));
            Assert.Equal(baseLRs, scheduler.BaseLRs);
            for (int epoch = 0; epoch < expected.Length / 2; epoch++)
            {
                scheduler.Step();
                Assert.Equal(opt.ParamGroups.Select(g => g.LearningRate), scheduler.LastLRs);
                actual.AddRange(scheduler.LastLRs);
            }
        }
        ParityAssert.Close(Tensor.FromArray(expected), Tensor.FromArray([.. actual]), $"{c.Name}: learning rates of both groups");
    }

    private static void CheckScheduler(ParityCase c)
    {
        var opt = new Sgd([new Parameter(Tensor.Zeros(1))], (float)c.Number("lr"));
        var expected = c.Attr("lrs").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        var actual = new List<double>();
        if (c.Text("kind") == "plateau")
        {
            var plateau = new ReduceLROnPlateau(opt, c.Text("mode") == "min" ? PlateauMode.Min : PlateauMode.Max,
                (float)c.Number("factor"), (int)c.Number("patience"), (float)c.Number("threshold"),
                c.Text("threshold_mode") == "rel" ? ThresholdMode.Rel : ThresholdMode.Abs, (int)c.Number("cooldown"), (float)c.Number("min_lr"));
            foreach (var metric in c.Attr("metrics").EnumerateArray().Select(e => e.GetDouble()))
            {
                plateau.Step(metric);
                actual.Add(plateau.LastLR);
            }
        }
        else
        {
            LRScheduler scheduler = c.Text("kind") switch
            {
                "step" => new StepLR(opt, (int)c.Number("step_size"), (float)c.Number("gamma")),
                "exponential" => new ExponentialLR(opt, (float)c.Number("gamma")),
                _ => new CosineAnnealingLR(opt, (int)c.Number("t_max"), (float)c.Number("eta_min")),
            };
            for (int epoch = 0; epoch < expected.Length; epoch++)
            {
                scheduler.Step();
                Assert.Equal(opt.LearningRate, scheduler.LastLR);
                actual.Add(scheduler.LastLR);
            }
        }
        ParityAssert.Close(Tensor.FromArray(expected.Select(v => (float)v).ToArray()), Tensor.FromArray(actual.Select(v => (float)v).ToArray()),
            $"{c.Name}: learning rates");
    }

    private static void CheckClipping(ParityCase c)
    {
        var p1 = new Parameter(Tensor.Zeros(3, 4)) { Grad = c.Tensor("g1") };
        var p2 = new Parameter(Tensor.Zeros(5)) { Grad = c.Tensor("g2") };
        if (c.Text("kind") == "clip_norm")
        {
            var normType = c.Attr("norm_type");
            float type = normType.ValueKind == JsonValueKind.String ? float.PositiveInfinity : (float)normType.GetDouble();
            float total = GradClip.ClipGradNorm([p1, p2], (float)c.Number("max_norm"), type);
            ParityAssert.Close(c.Tensor("total_norm"), Tensor.Scalar(total), $"{c.Name}: total norm");
        }
        else
        {
            GradClip.ClipGradValue([p1, p2], (float)c.Number("clip_value"));
        }
        ParityAssert.Close(c.Tensor("clipped1"), p1.Grad!, $"{c.Name}: first gradient");
        ParityAssert.Close(c.Tensor("clipped2"), p2.Grad!, $"{c.Name}: second gradient");
    }
}
