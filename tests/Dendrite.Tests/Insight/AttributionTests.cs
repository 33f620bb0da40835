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
