using Dendrite.Tensors;

namespace Dendrite.Data.Datasets;

/// <summary>
/// The four classification sets of TensorFlow Playground (playground.tensorflow.org, <c>dataset.ts</c>),
/// generated the same way from a seeded <see cref="Generator"/>, and its two regression sets (<see cref="Plane"/>,
/// <see cref="MultiGaussian"/>, targets in [−1, 1]): inputs [n,2] (x, y) and targets [n] holding
/// class indices 0/1 as floats (the Playground's label +1 is class 1 and −1 is class 0). Points lie
/// roughly in [−6, 6]². <c>noise</c> is the Playground's noise slider divided by 100 (0 to 0.5 there; any
/// value ≥ 0 is accepted). Samples come class by class (Circle, Gaussians, Spiral) — shuffle when batching.
/// As in the Playground, Circle and Xor label a point by where it lands after a random displacement but
/// store the undisplaced point, so noise shows up as points of the wrong colour, not as scatter.
/// Class-by-class sets give ceil(n/2) samples to class 1 and floor(n/2) to class 0.
/// </summary>
public static class Synthetic2D
{
    private const double Radius = 5;

    private static readonly (double X, double Y, double Sign)[] Bumps = [(-3, 3, 1), (3, -3, 1), (3, 3, -1), (-3, -3, -1)];

    /// <summary>
    /// A disc of class 1 (radius uniform in [0, 2.5]) inside a ring of class 0 (radius uniform in
    /// [3.5, 5]); the label is 1 when the point displaced by noise · U(−5, 5) in each coordinate lies within
    /// radius 2.5 of the origin.
    /// </summary>
    public static TensorDataset Circle(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "Circle", generator);
        return Build(n, i =>
        {
            bool inner = i < (n + 1) / 2;
            double r = inner ? Uniform(g, 0, Radius * 0.5) : Uniform(g, Radius * 0.7, Radius);
            double angle = Uniform(g, 0, 2 * Math.PI);
            double x = r * Math.Sin(angle), y = r * Math.Cos(angle);
            double nx = Uniform(g, -Radius, Radius) * noise, ny = Uniform(g, -Radius, Radius) * noise;
            return (x, y, Math.Sqrt((x + nx) * (x + nx) + (y + ny) * (y + ny)) < Radius * 0.5 ? 1 : 0);
        });
    }

    /// <summary>
    /// Points uniform in [−5, 5]², pushed 0.3 away from both axes (a gap between the quadrants); class 1
    /// where x·y ≥ 0 (first and third quadrants) after a displacement of noise · U(−5, 5) per coordinate.
    /// </summary>
    public static TensorDataset Xor(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "Xor", generator);
        const double padding = 0.3;
        return Build(n, _ =>
        {
            double x = Uniform(g, -5, 5);
            x += x > 0 ? padding : -padding;
            double y = Uniform(g, -5, 5);
            y += y > 0 ? padding : -padding;
            double nx = Uniform(g, -5, 5) * noise, ny = Uniform(g, -5, 5) * noise;
            return (x, y, (x + nx) * (y + ny) >= 0 ? 1 : 0);
        });
    }

    /// <summary>
    /// Two isotropic Gaussians, class 1 centred at (2, 2) and class 0 at (−2, −2), with variance
    /// 0.5 + 7·noise (the Playground maps noise 0…0.5 linearly onto variance 0.5…4).
    /// </summary>
    public static TensorDataset Gaussians(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "Gaussians", generator);
        double std = Math.Sqrt(0.5 + 7 * noise);
        return Build(n, i =>
        {
            double c = i < (n + 1) / 2 ? 2 : -2;
            return (c + std * g.NextNormal(), c + std * g.NextNormal(), c > 0 ? 1 : 0);
        });
    }

    /// <summary>
    /// Two interleaved spirals of 1.75 turns each: point i of m on a spiral has radius 5·i/m and angle
    /// 3.5π·i/m (+π for class 0), x = r·sin(angle), y = r·cos(angle), plus noise · U(−1, 1) per coordinate.
    /// </summary>
    public static TensorDataset Spiral(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "Spiral", generator);
        int positives = (n + 1) / 2;
        return Build(n, i =>
        {
            bool positive = i < positives;
            int m = positive ? positives : n - positives;
            int k = positive ? i : i - positives;
            double r = (double)k / m * Radius;
            double t = 1.75 * k / m * 2 * Math.PI + (positive ? 0 : Math.PI);
            return (r * Math.Sin(t) + Uniform(g, -1, 1) * noise, r * Math.Cos(t) + Uniform(g, -1, 1) * noise, positive ? 1 : 0);
        });
    }

    /// <summary>
    /// Regression (TensorFlow Playground's "plane"): points uniform in [−6, 6]², target (x + y) / 12 (so in
    /// [−1, 1]) computed at the point displaced by noise · U(−6, 6) per coordinate; targets [n] are floats.
    /// </summary>
    public static TensorDataset Plane(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "Plane", generator);
        return Build(n, _ =>
        {
            double x = Uniform(g, -6, 6), y = Uniform(g, -6, 6);
            double nx = Uniform(g, -6, 6) * noise, ny = Uniform(g, -6, 6) * noise;
            return (x, y, (x + nx + y + ny) / 12);
        });
    }

    /// <summary>
    /// Regression (TensorFlow Playground's "multi gaussian"): points uniform in [−6, 6]²; the target is the
    /// strongest of four Gaussian bumps of height +1 at (−3, 3) and (3, −3) and −1 at (3, 3) and (−3, −3)
    /// (standard deviation 2), i.e. the bump value with the largest magnitude, at the point displaced by
    /// noise · U(−6, 6) per coordinate.
    /// </summary>
    public static TensorDataset MultiGaussian(int n, double noise = 0, Generator? generator = null)
    {
        var g = Check(n, noise, "MultiGaussian", generator);
        return Build(n, _ =>
        {
            double x = Uniform(g, -6, 6), y = Uniform(g, -6, 6);
            double px = x + Uniform(g, -6, 6) * noise, py = y + Uniform(g, -6, 6) * noise;
            double best = 0;
            foreach (var (cx, cy, sign) in Bumps)
            {
                double v = sign * Math.Exp(-((px - cx) * (px - cx) + (py - cy) * (py - cy)) / (2 * 2.0 * 2.0));
                if (Math.Abs(v) > Math.Abs(best)) best = v;
            }
            return (x, y, best);
        });
    }

    private static Generator Check(int n, double noise, string name, Generator? generator)
    {
        if (n <= 0)
            throw new ArgumentOutOfRangeException(nameof(n), $"Synthetic2D.{name}: the number of samples must be positive, got {n}");
        if (!(noise >= 0) || double.IsInfinity(noise))
            throw new ArgumentOutOfRangeException(nameof(noise), $"Synthetic2D.{name}: noise must be finite and ≥ 0, got {noise}");
        return generator ?? Generator.Default;
    }

    private static double Uniform(Generator g, double low, double high) => low + (high - low) * g.NextDouble();

    private static TensorDataset Build(int n, Func<int, (double X, double Y, double Label)> sample)
    {
        var inputs = new float[n * 2];
        var targets = new float[n];
        for (int i = 0; i < n; i++)
        {
            var (x, y, label) = sample(i);
            inputs[2 * i] = (float)x;
            inputs[2 * i + 1] = (float)y;
            targets[i] = (float)label;
        }
        return new TensorDataset(Tensor.FromArray(inputs, n, 2), Tensor.FromArray(targets, n));
    }
}
