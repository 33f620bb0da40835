namespace Dendrite.Tests.GradCheck;

/// <summary>GradCheck rows for the Tensor primitives: broadcasting, size-1 dimensions, non-contiguous views, kinks.</summary>
public static class TensorRows
{
    // Seeded sample inputs; a different seed per call keeps rows independent.
    private static int seed = 1;

    private static Tensor R(params int[] shape) => Tensor.Randn(new Generator((ulong)Interlocked.Increment(ref seed)), shape).RequiresGrad_();

    /// <summary>Values in [lo, hi), for ops defined only there (log, sqrt, pow of a real base).</summary>
    private static Tensor U(float lo, float hi, params int[] shape)
    {
        var u = Tensor.Rand(new Generator((ulong)Interlocked.Increment(ref seed)), shape);
        return (u * (hi - lo) + lo).Detach().RequiresGrad_();
    }

    /// <summary>A leaf that is a non-contiguous (transposed) view of its storage.</summary>
    private static Tensor NC(int rows, int cols) => R(cols, rows).Detach().T.RequiresGrad_();

    private static Tensor V(params float[] values) => Tensor.FromArray(values).RequiresGrad_();

    private static GradCase Row(string name, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs, double atol = 1e-3, double rtol = 1e-2) =>
        new(name, f, inputs, atol, rtol);

    public static IEnumerable<GradCase> Rows =>
    [
        // Arithmetic with broadcasting and size-1 dimensions.
        Row("add", t => t[0] + t[1], () => [R(2, 3), R(2, 3)]),
        Row("add broadcast row", t => t[0] + t[1], () => [R(2, 3), R(3)]),
        Row("add size-1 dims", t => t[0] + t[1], () => [R(2, 1), R(1, 3)]),
        Row("add scalar tensor", t => t[0] + t[1], () => [R(2, 3), R()]),
        Row("add float", t => t[0] + 2.5f, () => [R(2, 3)]),
        Row("sub broadcast", t => t[0] - t[1], () => [R(3, 1, 2), R(4, 1)]),
        Row("float minus", t => 1f - t[0], () => [R(4)]),
        Row("mul broadcast", t => t[0] * t[1], () => [R(2, 3), R(2, 1)]),
        Row("mul non-contiguous", t => t[0] * t[1], () => [NC(3, 4), R(3, 4)]),
        Row("mul fan-out", t => t[0] * t[0] * t[0], () => [R(5)]),
        Row("div", t => t[0] / t[1], () => [R(2, 3), U(0.5f, 2f, 2, 3)]),
        Row("div broadcast", t => t[0] / t[1], () => [R(2, 3), U(0.5f, 2f, 3)]),
        Row("float over", t => 2f / t[0], () => [U(0.5f, 2f, 4)]),
        Row("neg", t => -t[0], () => [R(2, 2)]),
        Row("pow 2", t => t[0].Pow(2f), () => [R(3, 2)]),
        Row("pow 2.5", t => t[0].Pow(2.5f), () => [U(0.2f, 2f, 5)]),
        Row("pow -1", t => t[0].Pow(-1f), () => [U(0.5f, 2f, 5)]),
        Row("pow 0", t => t[0].Pow(0f), () => [R(3)]),
        Row("pow tensor", t => t[0].Pow(t[1]), () => [U(0.5f, 2f, 2, 3), R(3)]),
        Row("exp", t => t[0].Exp(), () => [R(2, 3)]),
        Row("log", t => t[0].Log(), () => [U(0.5f, 3f, 2, 3)]),
        Row("sqrt", t => t[0].Sqrt(), () => [U(0.5f, 3f, 4)]),
        Row("abs", t => t[0].Abs(), () => [R(2, 3)]),
        Row("abs at kink 0", t => t[0].Abs(), () => [V(0f, 1f, -1f)]),
        Row("sign", t => t[0].Sign() * t[0], () => [R(4)]),
        Row("clamp", t => t[0].Clamp(-0.5f, 0.5f), () => [V(-1.2f, -0.3f, 0.1f, 0.45f, 0.9f)]),
        Row("clamp min only", t => t[0].Clamp(min: 0f), () => [V(-1f, 0.5f, 2f)]),
        Row("maximum", t => Tensor.Maximum(t[0], t[1]), () => [R(2, 3), R(2, 3)]),
        Row("maximum broadcast", t => Tensor.Maximum(t[0], t[1]), () => [R(2, 3), R(3)]),
        Row("maximum tie kink", t => Tensor.Maximum(t[0], t[1]), () => [V(1f, 2f, 3f), V(1f, 0f, 3f)]),
        Row("minimum", t => Tensor.Minimum(t[0], t[1]), () => [R(4), R(4)]),
        Row("where", t => Tensor.Where(t[0].Detach().Gt(0f), t[0], t[1]), () => [R(2, 3), R(3)]),
        Row("sigmoid", t => t[0].Sigmoid(), () => [R(2, 3)]),
        Row("tanh", t => t[0].Tanh(), () => [R(2, 3)]),
        Row("relu", t => t[0].Relu(), () => [V(-1.5f, -0.2f, 0.3f, 2f)]),

        // Reductions.
        Row("sum all", t => t[0].Sum(), () => [R(2, 3)]),
        Row("sum axis", t => t[0].Sum(1), () => [R(2, 3)]),
        Row("sum axis keepdim", t => t[0].Sum(0, keepDim: true), () => [R(2, 3)]),
        Row("sum scattered axes", t => t[0].Sum([0, 2]), () => [R(2, 3, 4)]),
        Row("sum non-contiguous", t => t[0].Sum(0), () => [NC(3, 4)]),
        Row("mean", t => t[0].Mean(), () => [R(3, 4)]),
        Row("mean axis", t => t[0].Mean(-1, keepDim: true), () => [R(3, 4)]),
        Row("max all", t => t[0].Max(), () => [R(3, 4)]),
        Row("max tie kink", t => t[0].Max(), () => [V(1f, 3f, 3f, -2f)]),
        Row("amax axes", t => t[0].Amax([1]), () => [R(3, 4)]),
        Row("max axis with indices", t => t[0].Max(1).Values, () => [R(3, 4)]),
        Row("min axis keepdim", t => t[0].Min(0, keepDim: true).Values, () => [R(3, 4)]),
        Row("min all", t => t[0].Min(), () => [R(5)]),
        Row("logsumexp", t => t[0].LogSumExp(1), () => [R(3, 4)]),
        Row("logsumexp large", t => t[0].LogSumExp(0), () => [V(100f, 101f, 99f)]),
        Row("var", t => t[0].Var(), () => [R(3, 4)]),
        Row("var axis", t => t[0].Var(1, correction: 0), () => [R(3, 4)]),
        Row("std axis", t => t[0].Std(0), () => [R(4, 3)]),

        // Linear algebra.
        Row("matmul 2d", t => t[0].MatMul(t[1]), () => [R(3, 4), R(4, 2)]),
        Row("matmul dot", t => t[0].MatMul(t[1]), () => [R(4), R(4)]),
        Row("matmul vector-matrix", t => t[0].MatMul(t[1]), () => [R(4), R(4, 3)]),
        Row("matmul matrix-vector", t => t[0].MatMul(t[1]), () => [R(3, 4), R(4)]),
        Row("matmul batched broadcast", t => t[0].MatMul(t[1]), () => [R(2, 3, 4), R(4, 5)]),
        Row("matmul batch dims broadcast", t => t[0].MatMul(t[1]), () => [R(2, 1, 2, 3), R(3, 3, 2)]),
        Row("matmul transposed input", t => t[0].MatMul(t[1]), () => [NC(3, 4), NC(4, 2)]),

        // Views.
        Row("reshape", t => t[0].Reshape(3, -1) * t[1], () => [R(2, 3), R(3, 2)]),
        Row("reshape non-contiguous", t => t[0].Reshape(-1) * t[1], () => [NC(2, 3), R(6)]),
        Row("flatten", t => t[0].Flatten(1) * 2f, () => [R(2, 3, 2)]),
        Row("transpose", t => t[0].Transpose(0, 1) * t[1], () => [R(2, 3), R(3, 2)]),
        Row("permute", t => t[0].Permute(2, 0, 1) * t[1], () => [R(2, 3, 4), R(4, 2, 3)]),
        Row("squeeze unsqueeze", t => t[0].Squeeze().Unsqueeze(0) * t[1], () => [R(3, 1, 2), R(1, 3, 2)]),
        Row("narrow", t => t[0].Narrow(1, 1, 2), () => [R(3, 4)]),
        Row("slice step", t => t[0].Slice(0, 0, 5, 2), () => [R(5, 2)]),
        Row("select", t => t[0].Select(1, 2), () => [R(3, 4)]),
        Row("index", t => t[0][1], () => [R(3, 4)]),
        Row("expand", t => t[0].Expand(3, 4) * t[1], () => [R(3, 1), R(3, 4)]),
        Row("expand new dims", t => t[0].Expand(2, 3, 4), () => [R(4)]),
        Row("contiguous", t => t[0].Contiguous() * 3f, () => [NC(3, 2)]),
        Row("clone", t => t[0].Clone() * t[0], () => [R(3)]),

        // Joining and indexing.
        Row("cat", t => Tensor.Cat([t[0], t[1]], 1), () => [R(2, 3), R(2, 2)]),
        Row("cat non-contiguous", t => Tensor.Cat([t[0], t[1]], 0), () => [NC(2, 3), R(1, 3)]),
        Row("stack", t => Tensor.Stack([t[0], t[1]], 1), () => [R(2, 3), R(2, 3)]),
        Row("gather", t => t[0].Gather(1, Tensor.FromArray(new float[,] { { 0, 2 }, { 1, 1 }, { 3, 0 } })), () => [R(3, 4)]),
        Row("index select", t => t[0].IndexSelect(0, 2, 0, 2), () => [R(3, 2)]),
        Row("softmax", t => t[0].Softmax(1), () => [R(3, 4)]),
        Row("softmax axis 0", t => t[0].Softmax(0), () => [R(3, 2, 2)]),
        Row("log softmax", t => t[0].LogSoftmax(-1), () => [R(2, 5)]),
        Row("log softmax large", t => t[0].LogSoftmax(0), () => [V(50f, 60f, 55f)]),
    ];
}
