using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;

namespace Dendrite.Tests.Parity;

/// <summary>
/// The benchmarks' cnn network (<see cref="Models.CifarCnn"/>: six conv-BN-ReLU layers, three max pools, a linear
/// layer) against PyTorch through one training step's forward and backward pass (fixture written by
/// tools/parity/cnn.py): logits, loss, input gradient, every parameter's gradient (the large weights' sampled
/// and by their sum of squares) and the running statistics. Sequential fuses BatchNorm → ReLU, so this is
/// also the fused op's parity.
/// </summary>
public class CnnParityTests
{
    // The parameters, set on both sides from a hash of each element's index (the fixture stores no weights).
    private static float[] Formula(int count, double fanIn, int salt)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++)
        {
            ulong h = ((ulong)i * 2654435761UL + (ulong)(salt * 40503 + 1)) % (1UL << 32);
            values[i] = (float)((h / 4294967296.0 - 0.5) * 2.0 / Math.Sqrt(fanIn));
        }
        return values;
    }

    [Fact]
    public void OneTrainingStepMatchesPyTorch()
    {
        var c = ParityFixture.Load("cnn.json")["cnn train step"];
        var model = Models.CifarCnn();
        int salt = 0;
        foreach (var (name, p) in model.NamedParameters())
        {
            var module = model[int.Parse(name[..name.IndexOf('.')], System.Globalization.CultureInfo.InvariantCulture)];
            float[] values;
            if (module is BatchNorm2d)
                values = name.EndsWith(".weight", StringComparison.Ordinal) ? [.. Formula(p.Numel, 4, salt).Select(v => 1f + v)] : Formula(p.Numel, 4, salt);
            else
            {
                // PyTorch's default bound for a layer's weight and bias: 1/√fan_in, fan_in = one output's weights.
                var weight = module is Conv2d conv ? conv.Weight : ((Linear)module).Weight;
                values = Formula(p.Numel, weight.Numel / weight.Shape[0], salt);
            }
            using (Dendrite.Autograd.GradMode.NoGrad()) p.CopyFrom_(Tensor.FromArray(values).Reshape(p.Shape.ToArray()));
            salt++;
        }
        Assert.Equal(26, salt);
        model.Train();
        var x = c.Tensor("input").Detach().RequiresGrad_();
        var logits = model.Forward(x);
        ParityAssert.Close(c.Tensor("logits"), logits, "logits", rtol: 1e-4, atol: 1e-5);
        var loss = new CrossEntropyLoss().Forward(logits, c.Tensor("labels"));
        ParityAssert.Close(c.Tensor("loss"), loss.Reshape(1), "loss", rtol: 1e-5, atol: 1e-6);
        loss.Backward();
        // Six batch norms and 38.7 M multiply-adds a image in float32, summed in another order than oneDNN's.
        ParityAssert.Close(c.Tensor("input_grad"), x.Grad!, "input grad", rtol: 1e-3, atol: 1e-6);
        foreach (var (name, p) in model.NamedParameters())
        {
            if (c.Has(name + "_grad"))
            {
                ParityAssert.Close(c.Tensor(name + "_grad"), p.Grad!, $"{name} grad", rtol: 1e-3, atol: 2e-6);
                continue;
            }
            var g = p.Grad!.Reshape(-1).ToArray();
            int step = g.Length / 64;
            var sampled = Enumerable.Range(0, 64).Select(i => g[i * step]).ToArray();
            ParityAssert.Close(c.Tensor(name + "_grad_sampled"), Tensor.FromArray(sampled), $"{name} grad (sampled)", rtol: 1e-3, atol: 2e-6);
            double sumSq = g.Sum(v => (double)v * v);
            ParityAssert.Close(c.Tensor(name + "_grad_sumsq"), Tensor.FromArray([(float)sumSq]), $"{name} grad sum of squares", rtol: 1e-3);
        }
        foreach (var (name, b) in model.NamedBuffers())
            if (c.Has(name + "_after")) ParityAssert.Close(c.Tensor(name + "_after"), b, $"{name} after the step", rtol: 1e-4, atol: 1e-6);
    }
}
