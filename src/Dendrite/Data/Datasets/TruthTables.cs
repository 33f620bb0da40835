using Dendrite.Tensors;

namespace Dendrite.Data.Datasets;

/// <summary>
/// The two-input Boolean functions of the perceptron story: inputs [4,2] in the order (0,0), (0,1), (1,0),
/// (1,1), targets [4,1] of 0/1. AND and OR are linearly separable, XOR is not (Minsky and Papert).
/// </summary>
public static class TruthTables
{
    /// <summary>x₁ ∧ x₂: targets 0, 0, 0, 1.</summary>
    public static TensorDataset And() => Table(0, 0, 0, 1);

    /// <summary>x₁ ∨ x₂: targets 0, 1, 1, 1.</summary>
    public static TensorDataset Or() => Table(0, 1, 1, 1);

    /// <summary>x₁ ⊕ x₂: targets 0, 1, 1, 0.</summary>
    public static TensorDataset Xor() => Table(0, 1, 1, 0);

    private static TensorDataset Table(float t00, float t01, float t10, float t11) => new(
        Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } }),
        Tensor.FromArray([t00, t01, t10, t11], 4, 1));
}
