using Dendrite.Data;
using Dendrite.Data.Datasets;

namespace Dendrite.Tests.Data;

public class SyntheticDatasetTests
{
    public static TheoryData<string> Names => ["circle", "xor", "gaussians", "spiral"];

    private static TensorDataset Make(string name, int n, double noise, ulong seed) => name switch
    {
        "circle" => Synthetic2D.Circle(n, noise, new Generator(seed)),
        "xor" => Synthetic2D.Xor(n, noise, new Generator(seed)),
        "gaussians" => Synthetic2D.Gaussians(n, noise, new Generator(seed)),
        _ => Synthetic2D.Spiral(n, noise, new Generator(seed)),
    };

    [Theory, MemberData(nameof(Names))]
    public void ShapesLabelsAndSeeds(string name)
    {
        var ds = Make(name, 201, 0.1, 9);
        Assert.Equal(new Shape([201, 2]), ds.Inputs.Shape);
        Assert.Equal(new Shape([201]), ds.Targets.Shape);
        var labels = ds.Targets.ToArray();
        Assert.All(labels, l => Assert.True(l is 0f or 1f));
        int ones = labels.Count(l => l == 1);
        Assert.InRange(ones, 70, 131); // both classes well represented
        Assert.All(ds.Inputs.ToArray(), v => Assert.InRange(v, -12f, 12f));

        Assert.Equal(ds.Inputs.ToArray(), Make(name, 201, 0.1, 9).Inputs.ToArray());
        Assert.Equal(labels, Make(name, 201, 0.1, 9).Targets.ToArray());
        Assert.NotEqual(ds.Inputs.ToArray(), Make(name, 201, 0.1, 10).Inputs.ToArray());
    }

    [Theory, MemberData(nameof(Names))]
    public void ArgumentsAreValidated(string name)
    {
        Assert.Contains("must be positive, got 0", Assert.Throws<ArgumentOutOfRangeException>(() => Make(name, 0, 0, 1)).Message);
        Assert.Contains("noise", Assert.Throws<ArgumentOutOfRangeException>(() => Make(name, 10, -0.1, 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Make(name, 10, double.NaN, 1));
        Assert.Single(Make(name, 1, 0, 1).Targets.ToArray());
    }

    private static IEnumerable<(float X, float Y, float Label)> Points(TensorDataset ds)
    {
        var x = ds.Inputs.ToArray();
        var t = ds.Targets.ToArray();
        for (int i = 0; i < t.Length; i++) yield return (x[2 * i], x[2 * i + 1], t[i]);
    }

    [Fact]
    public void NoiselessCircleIsADiscInsideARing()
    {
        var points = Points(Synthetic2D.Circle(300, 0, new Generator(2))).ToList();
        Assert.Equal(150, points.Count(p => p.Label == 1));
        foreach (var (x, y, label) in points)
        {
            float r = MathF.Sqrt(x * x + y * y);
            if (label == 1) Assert.InRange(r, 0f, 2.5f);
            else Assert.InRange(r, 3.5f, 5.0001f);
        }
    }

    [Fact]
    public void NoiselessXorLabelsQuadrantsAndKeepsAGap()
    {
        foreach (var (x, y, label) in Points(Synthetic2D.Xor(300, 0, new Generator(3))))
        {
            Assert.True(MathF.Abs(x) >= 0.3f && MathF.Abs(y) >= 0.3f);
            Assert.Equal(x * y >= 0 ? 1f : 0f, label);
        }
    }

    [Fact]
    public void GaussiansAreCentredAtPlusMinusTwo()
    {
        var points = Points(Synthetic2D.Gaussians(4000, 0, new Generator(4))).ToList();
        var positive = points.Where(p => p.Label == 1).ToList();
        var negative = points.Where(p => p.Label == 0).ToList();
        Assert.Equal(2000, positive.Count);
        Assert.InRange(positive.Average(p => p.X), 1.9, 2.1);
        Assert.InRange(negative.Average(p => p.Y), -2.1, -1.9);
        // Variance 0.5 at noise 0, 0.5 + 7·0.5 = 4 at noise 0.5.
        Assert.InRange(positive.Average(p => (p.X - 2) * (p.X - 2)), 0.45, 0.55);
        var wide = Points(Synthetic2D.Gaussians(4000, 0.5, new Generator(4))).Where(p => p.Label == 1).ToList();
        Assert.InRange(wide.Average(p => (p.Y - 2) * (p.Y - 2)), 3.6, 4.4);
    }

    [Fact]
    public void NoiselessSpiralsArePointReflections()
    {
        // Class 0 is class 1 turned by π: point k of one spiral is minus point k of the other.
        var points = Points(Synthetic2D.Spiral(100, 0, new Generator(5))).ToList();
        for (int k = 0; k < 50; k++)
        {
            Assert.Equal(1f, points[k].Label);
            Assert.Equal(0f, points[50 + k].Label);
            Assert.Equal(-points[k].X, points[50 + k].X, 1e-4f);
            Assert.Equal(-points[k].Y, points[50 + k].Y, 1e-4f);
            Assert.Equal(5f * k / 50, MathF.Sqrt(points[k].X * points[k].X + points[k].Y * points[k].Y), 1e-4f);
        }
    }

    [Fact]
    public void TruthTables()
    {
        var and = Dendrite.Data.Datasets.TruthTables.And();
        Assert.Equal(new Shape([4, 2]), and.Inputs.Shape);
        Assert.Equal(new Shape([4, 1]), and.Targets.Shape);
        Assert.Equal([0f, 0f, 0f, 1f], and.Targets.ToArray());
        Assert.Equal([0f, 1f, 1f, 1f], Dendrite.Data.Datasets.TruthTables.Or().Targets.ToArray());
        Assert.Equal([0f, 1f, 1f, 0f], Dendrite.Data.Datasets.TruthTables.Xor().Targets.ToArray());
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 0f, 1f, 1f], and.Inputs.ToArray());
    }

    [Fact]
    public void NoiselessPlaneIsTheScaledSumAndSeeded()
    {
        var ds = Synthetic2D.Plane(400, 0, new Generator(5));
        foreach (var (x, y, value) in Points(ds))
        {
            Assert.InRange(x, -6f, 6f);
            Assert.Equal((x + y) / 12, value, 1e-5f);
        }
        Assert.Equal(ds.Targets.ToArray(), Synthetic2D.Plane(400, 0, new Generator(5)).Targets.ToArray());
        var noisy = Points(Synthetic2D.Plane(400, 0.5, new Generator(5))).ToList();
        Assert.Contains(noisy, p => MathF.Abs((p.X + p.Y) / 12 - p.Label) > 0.1f);
        Assert.All(noisy, p => Assert.InRange(p.Label, -1.5f, 1.5f));
    }

    [Fact]
    public void NoiselessMultiGaussianPeaksWithItsSigns()
    {
        var points = Points(Synthetic2D.MultiGaussian(2000, 0, new Generator(6))).ToList();
        Assert.All(points, p => Assert.InRange(p.Label, -1f, 1f));
        foreach (var (x, y, value) in points)
        {
            if (MathF.Abs(x + 3) < 0.5f && MathF.Abs(y - 3) < 0.5f) Assert.True(value > 0.9f);
            if (MathF.Abs(x - 3) < 0.5f && MathF.Abs(y - 3) < 0.5f) Assert.True(value < -0.9f);
        }
        Assert.Contains("noise", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic2D.MultiGaussian(5, -1)).Message);
        Assert.Contains("must be positive", Assert.Throws<ArgumentOutOfRangeException>(() => Synthetic2D.Plane(0)).Message);
    }
}
