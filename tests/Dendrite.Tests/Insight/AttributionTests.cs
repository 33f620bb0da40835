using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;

namespace Dendrite.Tests.Insight;

/// <summary>Saliency and the other attributions on the trained LeNet-5.</summary>
[Collection(TrainedLeNetCollection.Name)]
public class AttributionTests(TrainedLeNet net)
{
    [Fact]
    public void SaliencyLiesOnTheStrokes()
    {
        var saliency = Attribution.Saliency(net.Model, net.Inputs, net.Labels).ToArray();
        var x = net.Inputs.ToArray();
        int onStrokes = 0;
        for (int i = 0; i < 500; i++)
        {
            var mask = StrokeMask(x.AsSpan(i * 784, 784));
            double inside = 0, outside = 0;
            int nInside = 0;
            for (int p = 0; p < 784; p++)
            {
                if (mask[p]) { inside += saliency[i * 784 + p]; nInside++; }
                else outside += saliency[i * 784 + p];
            }
            if (inside / nInside >= 2 * outside / (784 - nInside)) onStrokes++;
        }
        Assert.True(onStrokes >= 400, $"{onStrokes} of 500 digits have saliency on their strokes");
    }

    [Fact]
    public void IntegratedGradientsAreComplete()
    {
        var x = net.Inputs.Narrow(0, 0, 10);
        var labels = net.Labels.Narrow(0, 0, 10);
        var attributions = Attribution.IntegratedGradients(net.Model, x, labels, steps: 64).ToArray();
        Tensor atInput, atBaseline;
        using (GradMode.NoGrad())
        {
            net.Model.Eval();
            atInput = net.Model.Forward(x);
            atBaseline = net.Model.Forward(Tensor.Zeros(10, 1, 28, 28));
        }
        var y = labels.ToArray();
        for (int i = 0; i < 10; i++)
        {
            double sum = attributions.AsSpan(i * 784, 784).ToArray().Sum(v => (double)v);
            double difference = atInput[i, (int)y[i]].Item() - atBaseline[i, (int)y[i]].Item();
            Assert.True(Math.Abs(sum - difference) <= 0.01 * Math.Abs(difference),
                $"digit {i}: attributions sum to {sum}, f(x) − f(baseline) = {difference}");
        }
    }

    [Fact]
    public void ActivationMaximizationSynthesisesEachClass()
    {
        for (int c = 0; c < 10; c++)
        {
            var image = ActivationMaximization.ForClass(net.Model, [1, 28, 28], c);
            Assert.Equal([1, 28, 28], image.Shape.ToArray());
            Tensor probabilities;
            using (GradMode.NoGrad()) probabilities = net.Model.Eval().Forward(image.Unsqueeze(0)).Softmax(1);
            Assert.True(probabilities[0, c].Item() >= 0.9f, $"class {c}: probability {probabilities[0, c].Item()}");
        }
    }

    // Pixels > 0.2, dilated by one pixel (3×3).
    private static bool[] StrokeMask(ReadOnlySpan<float> image)
    {
        var mask = new bool[784];
        for (int y = 0; y < 28; y++)
            for (int x = 0; x < 28; x++)
                if (image[y * 28 + x] > 0.2f)
                    for (int dy = -1; dy <= 1; dy++)
                        for (int dx = -1; dx <= 1; dx++)
                            if (y + dy is >= 0 and < 28 && x + dx is >= 0 and < 28) mask[(y + dy) * 28 + x + dx] = true;
        return mask;
    }
}
