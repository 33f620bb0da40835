using Dendrite.NN;
using Dendrite.NN.Losses;

namespace Dendrite.Tests.Parity;

/// <summary>Every loss × options × reduction against PyTorch 1.13 (tools/parity/losses.py): the loss and the input gradient.</summary>
public class LossParityTests
{
    private const string File = "losses.json";

    public static IEnumerable<object[]> Cases => ParityFixture.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ParityFixture.Load(File)[name];
        var input = c.Tensor("input").RequiresGrad_();
        var target = c.Tensor("target");
        var reduction = c.Text("reduction") switch
        {
            "mean" => Reduction.Mean,
            "sum" => Reduction.Sum,
            _ => Reduction.None,
        };
        var weight = c.Has("weight") ? c.Tensor("weight") : null;
        int ignoreIndex = c.HasAttr("ignore_index") ? (int)c.Number("ignore_index") : Functional.DefaultIgnoreIndex;
        Loss module = c.Text("kind") switch
        {
            "mse" => new MseLoss(reduction),
            "l1" => new L1Loss(reduction),
            "huber" => new HuberLoss((float)c.Number("delta"), reduction),
            "smooth_l1" => new SmoothL1Loss((float)c.Number("beta"), reduction),
            "bce" => new BceLoss(weight, reduction),
            "bce_logits" => new BceWithLogitsLoss(weight, c.Has("pos_weight") ? c.Tensor("pos_weight") : null, reduction),
            "ce" => new CrossEntropyLoss(weight, ignoreIndex, reduction, (float)c.Number("label_smoothing")),
            "nll" => new NllLoss(weight, ignoreIndex, reduction),
            "multi_margin" => new MultiMarginLoss((int)c.Number("p"), (float)c.Number("margin"), weight, reduction),
            "hinge" => new HingeLoss(reduction),
            var k => throw new InvalidOperationException($"unknown loss kind {k}"),
        };

        var loss = module.Call(input, target);
        ParityAssert.Close(c.Tensor("loss"), loss, $"{name}: loss");
        loss.Backward(c.Tensor("grad_output"));
        ParityAssert.Close(c.Tensor("input_grad"), input.Grad!, $"{name}: input gradient");
    }
}
