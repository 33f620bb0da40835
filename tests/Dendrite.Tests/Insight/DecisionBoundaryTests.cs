using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.Insight;

public class DecisionBoundaryTests
{
    // Logits (−4x, 4x): class 1 right of the y axis, surer further from it.
    private static Linear VerticalSplit()
    {
        var linear = new Linear(2, 2);
        using (GradMode.NoGrad())
        {
            linear.Weight.CopyFrom_(Tensor.FromArray([-4f, 0f, 4f, 0f], 2, 2));
            linear.Bias!.Fill_(0f);
        }
        return linear;
    }

    [Fact]
    public void ColoursByPredictedClassAndConfidence()
    {
        var image = DecisionBoundary.Render(VerticalSplit(), (-1, 1, -1, 1), width: 64, height: 32);
        Assert.Equal((64, 32), (image.Width, image.Height));
        var white = new Rgb(255, 255, 255);
        var (orange, blue) = (DecisionBoundary.BinaryColors[0], DecisionBoundary.BinaryColors[1]);
        // Far out, p(class) = σ(8·0.98) ≈ 0.9996: nearly the full 0.8 blend towards the class colour.
        AssertNear(Rgb.Lerp(white, orange, 0.8f), image[0, 5]);
        AssertNear(Rgb.Lerp(white, blue, 0.8f), image[63, 20]);
        // At the boundary: white; between, the colour fades (orange's green channel rises towards 255).
        Assert.True(image[31, 10].G > 240 && image[32, 10].B > 240, $"boundary {image[31, 10]} {image[32, 10]} is not near white");
        Assert.True(image[0, 5].G < image[20, 5].G && image[20, 5].G < image[30, 5].G, "confidence does not fade towards the boundary");
    }

    [Fact]
    public void OneLogitIsABinaryClassifier()
    {
        var linear = new Linear(2, 1);
        using (GradMode.NoGrad())
        {
            linear.Weight.CopyFrom_(Tensor.FromArray([0f, 5f], 1, 2));
            linear.Bias!.Fill_(0f);
        }
        var image = DecisionBoundary.Render(linear, (-1, 1, -1, 1), width: 8, height: 8);
        // y > 0 (the top half) is class 1, blue; the bottom half orange.
        Assert.True(image[4, 0].B > image[4, 0].R);
        Assert.True(image[4, 7].R > image[4, 7].B);
    }

    [Fact]
    public void DrawsPointsInTheirClassColour()
    {
        var points = Tensor.FromArray([-0.5f, 0f, 0.5f, 0f], 2, 2);
        var labels = Tensor.FromArray([1f, 0f]);
        var image = DecisionBoundary.Render(VerticalSplit(), (-1, 1, -1, 1), 40, 40, points, labels, pointRadius: 3);
        Assert.Equal(DecisionBoundary.BinaryColors[1], image[10, 20]);
        Assert.Equal(DecisionBoundary.BinaryColors[0], image[30, 20]);
        var bounds = DecisionBoundary.BoundsOf(points);
        Assert.Equal((-0.6f, 0.6f), (bounds.XMin, bounds.XMax), new FloatPairComparer());
    }

    [Fact]
    public void WrongInputShapeIsAClearError()
    {
        var e = Assert.Throws<ArgumentException>(() => DecisionBoundary.Render(new Linear(3, 2), (-1, 1, -1, 1), 8, 8));
        Assert.Contains("[N,2]", e.Message);
        Assert.Throws<ArgumentException>(() => DecisionBoundary.Render(VerticalSplit(), (1, -1, -1, 1), 8, 8));
        Assert.Throws<ArgumentException>(() => DecisionBoundary.Render(VerticalSplit(), (-1, 1, -1, 1), 8, 8, Tensor.Zeros(3, 3)));
        var bad = Assert.Throws<ArgumentException>(() =>
            DecisionBoundary.Render(VerticalSplit(), (-1, 1, -1, 1), 8, 8, Tensor.Zeros(1, 2), Tensor.FromArray([5f])));
        Assert.Contains("label 5", bad.Message);
    }

    private static void AssertNear(Rgb expected, Rgb actual) =>
        Assert.True(Math.Abs(actual.R - expected.R) <= 3 && Math.Abs(actual.G - expected.G) <= 3 && Math.Abs(actual.B - expected.B) <= 3,
            $"expected about {expected}, got {actual}");

    private sealed class FloatPairComparer : IEqualityComparer<(float, float)>
    {
        public bool Equals((float, float) a, (float, float) b) => Math.Abs(a.Item1 - b.Item1) < 1e-5 && Math.Abs(a.Item2 - b.Item2) < 1e-5;

        public int GetHashCode((float, float) obj) => 0;
    }
}
