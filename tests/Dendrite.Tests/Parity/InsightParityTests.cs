using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Parity;

/// <summary>
/// Saliency, integrated gradients and FGSM against the same methods written with PyTorch ops (fixture by
/// tools/parity/insight.py) on a small CNN with PyTorch's weights.
/// </summary>
public class InsightParityTests
{
    private const string File = "insight.json";

    public static IEnumerable<object[]> Cases => ParityFixture.Names(File);

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesPyTorch(string name)
    {
        var c = ParityFixture.Load(File)[name];
        var model = new Sequential(new Conv2d(1, 4, 3, padding: 1), new ReLU(), new MaxPool2d(2), new Conv2d(4, 6, 3), new Tanh(),
            new Flatten(), new Linear(24, 10), new ReLU(), new Linear(10, 5));
        using (GradMode.NoGrad())
            foreach (var (pname, p) in model.NamedParameters()) p.CopyFrom_(c.Tensor(pname));
        var x = c.Tensor("input");
        var targets = c.Tensor("targets");
        Tensor actual = name switch
        {
            "gradient" => Attribution.Gradient(model, x, targets),
            "saliency" => Attribution.Saliency(model, x, targets),
            _ when name.StartsWith("integrated gradients", StringComparison.Ordinal) => Attribution.IntegratedGradients(model, x, targets,
                c.Has("baseline") ? c.Tensor("baseline") : null, (int)c.Number("steps")),
            _ when name.StartsWith("fgsm", StringComparison.Ordinal) => Adversarial.Fgsm(model, x, c.Tensor("labels"), (float)c.Number("epsilon")),
            _ => throw new InvalidOperationException($"unknown case {name}"),
        };
        ParityAssert.Close(c.Tensor("expected"), actual, name, rtol: 1e-5, atol: 1e-5);
        Assert.True(model.Training);
        Assert.True(model.Parameters().All(p => p.RequiresGrad && p.Grad is null));
    }
}
