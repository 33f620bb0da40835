using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Hand-made features of a 2-D point (x₁, x₂), as offered by TensorFlow Playground's inputs; combine them
/// with |. Outputs always come in the order listed here.
/// </summary>
[Flags]
public enum FeatureSet
{
    /// <summary>No feature (invalid for a <see cref="FeatureMap"/>).</summary>
    None = 0,

    /// <summary>x₁.</summary>
    X1 = 1,

    /// <summary>x₂.</summary>
    X2 = 2,

    /// <summary>x₁².</summary>
    X1Squared = 4,

    /// <summary>x₂².</summary>
    X2Squared = 8,

    /// <summary>x₁·x₂.</summary>
    X1X2 = 16,

    /// <summary>sin x₁.</summary>
    SinX1 = 32,

    /// <summary>sin x₂.</summary>
    SinX2 = 64,

    /// <summary>All seven.</summary>
    All = X1 | X2 | X1Squared | X2Squared | X1X2 | SinX1 | SinX2,
}

/// <summary>
/// A fixed (parameter-free) feature map for 2-D inputs: [N, 2] points (x₁, x₂) become [N, k] rows of the
/// chosen features, in <see cref="FeatureSet"/> order. The course's Φ(x_u, x_v) = (x_u, x_v, x_u·x_v) is
/// <c>new FeatureMap(FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2)</c>; with it a linear model can
/// separate XOR. Differentiable with respect to the input.
/// </summary>
public sealed class FeatureMap : Module
{
    private static readonly FeatureSet[] Order =
        [FeatureSet.X1, FeatureSet.X2, FeatureSet.X1Squared, FeatureSet.X2Squared, FeatureSet.X1X2, FeatureSet.SinX1, FeatureSet.SinX2];

    /// <summary>A feature map producing the given features.</summary>
    public FeatureMap(FeatureSet features)
    {
        Features = features;
        OutFeatures = Members(features).Count;
    }

    /// <summary>The features produced.</summary>
    public FeatureSet Features { get; }

    /// <summary>Number of output columns (the number of features chosen).</summary>
    public int OutFeatures { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.FeatureMap(input, Features);

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"features=[{string.Join(", ", Members(Features))}]";

    /// <summary>The single features in <paramref name="features"/>, in output order; validates the set.</summary>
    internal static List<FeatureSet> Members(FeatureSet features)
    {
        if ((features & ~FeatureSet.All) != 0)
            throw new ArgumentException($"FeatureMap: unknown feature bits in {(int)features}");
        var members = Order.Where(f => features.HasFlag(f)).ToList();
        if (members.Count == 0)
            throw new ArgumentException("FeatureMap: choose at least one feature (X1, X2, X1Squared, X2Squared, X1X2, SinX1, SinX2)");
        return members;
    }
}
