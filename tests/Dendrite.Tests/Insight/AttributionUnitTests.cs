using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

/// <summary>Attributions of a linear model, where each has a closed form, and the argument checks.</summary>
public class AttributionUnitTests
{
    // Scores S = W·flatten(x) + b over 4×4 single-channel images; ∂S_c/∂x = W[c].
    private static (Sequential Model, float[] W) Linear4x4()
    {
        var linear = new Linear(16, 3, generator: new Generator(11));
        return (new Sequential(new Flatten(), linear), linear.Weight.ToArray());
    }

    private static Tensor Images(int n) => Tensor.Rand(new Generator(12), n, 1, 4, 4);

    [Fact]
    public void GradientMethodsHaveTheirClosedFormsOnALinearModel()
    {
        var (model, w) = Linear4x4();
        var x = Images(2);
        var xs = x.ToArray();
        int[] targets = [2, 0];
        var gradient = Attribution.Gradient(model, x, targets).ToArray();
        var saliency = Attribution.Saliency(model, x, targets).ToArray();
        var timesInput = Attribution.GradientTimesInput(model, x, targets).ToArray();
        var smooth = Attribution.SmoothGrad(model, x, targets, samples: 5, sigma: 0.3f).ToArray();
        var baseline = Tensor.Full([1, 4, 4], 0.25f);
        var ig = Attribution.IntegratedGradients(model, x, targets, baseline, steps: 3).ToArray();
        for (int i = 0; i < 2; i++)
            for (int j = 0; j < 16; j++)
            {
                float wij = w[targets[i] * 16 + j];
                int k = i * 16 + j;
                Assert.Equal(wij, gradient[k], 6);
                Assert.Equal(Math.Abs(wij), saliency[k], 6);
                Assert.Equal(wij * xs[k], timesInput[k], 6);
                Assert.Equal(wij, smooth[k], 5); // noise does not move a constant gradient
                Assert.Equal(wij * (xs[k] - 0.25f), ig[k], 5);
            }
    }

    [Fact]
    public void OcclusionIsTheDropOfTheScoreAveragedOverCoveringPatches()
    {
        var (model, w) = Linear4x4();
        var x = Images(1)[0];
        var xs = x.ToArray();
        // Window 2, stride 2: four disjoint patches; each pixel's value is its patch's drop Σ w·(x − fill).
        var map = Attribution.Occlusion(model, x, 1, window: 2, stride: 2, fill: 0.5f).ToArray();
        for (int y = 0; y < 4; y++)
            for (int c = 0; c < 4; c++)
            {
                double drop = 0;
                for (int py = y / 2 * 2; py < y / 2 * 2 + 2; py++)
                    for (int pc = c / 2 * 2; pc < c / 2 * 2 + 2; pc++)
                        drop += w[16 + py * 4 + pc] * (xs[py * 4 + pc] - 0.5f);
                Assert.Equal(drop, map[y * 4 + c], 5);
            }
        // Window 3, stride 1: overlapping patches are averaged; the centre pixels are covered by all four.
        var overlapping = Attribution.Occlusion(model, x, 1, window: 3, stride: 1).ToArray();
        double mean = 0;
        for (int p = 0; p < 4; p++)
        {
            int oy = p / 2, ox = p % 2;
            for (int py = oy; py < oy + 3; py++)
                for (int pc = ox; pc < ox + 3; pc++) mean += w[16 + py * 4 + pc] * xs[py * 4 + pc] / 4;
        }
        Assert.Equal(mean, overlapping[1 * 4 + 1], 5);
    }

    [Fact]
    public void SmoothGradIsReproducibleForASeed()
    {
        var model = new Sequential(new Flatten(), new Linear(16, 8, generator: new Generator(3)), new ReLU(), new Linear(8, 2, generator: new Generator(4)));
        var x = Images(2);
        var a = Attribution.SmoothGrad(model, x, 1, samples: 7, sigma: 0.2f, seed: 5).ToArray();
        Assert.Equal(a, Attribution.SmoothGrad(model, x, 1, samples: 7, sigma: 0.2f, seed: 5).ToArray());
        Assert.NotEqual(a, Attribution.SmoothGrad(model, x, 1, samples: 7, sigma: 0.2f, seed: 6).ToArray());
        Assert.Equal(Attribution.Gradient(model, x, 1).ToArray(), Attribution.SmoothGrad(model, x, 1, samples: 3, sigma: 0).ToArray());
    }

    [Fact]
    public void BadArgumentsGetOneClearError()
    {
        var (model, _) = Linear4x4();
        var x = Images(2);
        Assert.Contains("Attribution.Saliency: target 3 is out of range for a model with 3 outputs (0 to 2)",
            Assert.Throws<ArgumentOutOfRangeException>(() => Attribution.Saliency(model, x, 3)).Message);
        Assert.Contains("Attribution.Gradient: 1 target(s) for a batch of 2; give one class per sample",
            Assert.Throws<ArgumentException>(() => Attribution.Gradient(model, x, new[] { 1 })).Message);
        Assert.Contains("Attribution.IntegratedGradients: the baseline has shape [3]; it must have the input's shape [2,1,4,4] or one sample's [1, 4, 4]",
            Assert.Throws<ArgumentException>(() => Attribution.IntegratedGradients(model, x, 0, Tensor.Zeros(3))).Message);
        Assert.Contains("Attribution.IntegratedGradients: steps must be at least 1, got 0",
            Assert.Throws<ArgumentOutOfRangeException>(() => Attribution.IntegratedGradients(model, x, 0, steps: 0)).Message);
        Assert.Contains("Attribution.Occlusion: window 5 does not fit a sample whose last dimensions are 4×4",
            Assert.Throws<ArgumentOutOfRangeException>(() => Attribution.Occlusion(model, x, 0, 5, 1)).Message);
        Assert.Contains("Attribution.SmoothGrad: sigma must not be negative, got -1",
            Assert.Throws<ArgumentOutOfRangeException>(() => Attribution.SmoothGrad(model, x, 0, sigma: -1)).Message);
        var lenet = Models.LeNet5(generator: new Generator(1));
        Assert.Contains("Attribution.Saliency: the model's first layer is a Conv2d with 1 input channel(s), so it takes a batch [N, 1, H, W] or one sample [1, H, W]; got shape [3,28,28]",
            Assert.Throws<ArgumentException>(() => Attribution.Saliency(lenet, Tensor.Zeros(3, 28, 28), 0)).Message);
        Assert.Contains("Attribution.Saliency: the model returned shape [2,1,4,4] for a batch of 2; it needs class scores [N, classes]",
            Assert.Throws<ArgumentException>(() => Attribution.Saliency(new Sequential(new Identity()), x, 0)).Message);
    }
}
