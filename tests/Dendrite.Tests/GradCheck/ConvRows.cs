using Dendrite.NN;

namespace Dendrite.Tests.GradCheck;

/// <summary>GradCheck rows for convolution, pooling and batch normalisation.</summary>
public static class ConvRows
{
    private static int seed = 1000;

    private static Tensor R(params int[] shape) => Tensor.Randn(new Generator((ulong)Interlocked.Increment(ref seed)), shape).RequiresGrad_();

    private static Dendrite.Kernels.Window2d W(Size2d k, Size2d? stride = null, Padding2d padding = default, Size2d? dilation = null) =>
        padding.Window(k, stride ?? 1, dilation ?? 1, "test");

    private static GradCase Row(string name, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs) => new(name, f, inputs, 2e-3, 2e-2);

    public static IEnumerable<GradCase> Rows =>
    [
        Row("conv2d", t => Tensor.Conv2d(t[0], t[1], t[2], W(3), 1), () => [R(2, 2, 5, 5), R(3, 2, 3, 3), R(3)]),
        Row("conv2d stride padding", t => Tensor.Conv2d(t[0], t[1], t[2], W(3, 2, 1), 1), () => [R(1, 2, 6, 5), R(2, 2, 3, 3), R(2)]),
        Row("conv2d dilation", t => Tensor.Conv2d(t[0], t[1], null, W(2, 1, 1, 2), 1), () => [R(1, 1, 5, 6), R(2, 1, 2, 2)]),
        Row("conv2d groups", t => Tensor.Conv2d(t[0], t[1], t[2], W((2, 3), (1, 2), (1, 0)), 2), () => [R(2, 4, 4, 5), R(4, 2, 2, 3), R(4)]),
        Row("conv2d same even kernel", t => Tensor.Conv2d(t[0], t[1], null, W(4, 1, Padding2d.Same), 1), () => [R(1, 1, 5, 5), R(1, 1, 4, 4)]),
        Row("conv2d non-contiguous input", t => Tensor.Conv2d(t[0].Permute(0, 1, 3, 2), t[1], null, W(2), 1), () => [R(1, 2, 4, 3), R(2, 2, 2, 2)]),
        Row("max pool", t => Tensor.MaxPool2d(t[0], W(2, 2)), () => [R(2, 2, 4, 4)]),
        Row("max pool overlapping padded", t => Tensor.MaxPool2d(t[0], W(3, 2, 1)), () => [R(1, 2, 5, 5)]),
        Row("max pool with fused relu", t => Tensor.MaxPool2d(t[0], W(2, 2), relu: true), () => [R(2, 2, 4, 4)]),
        Row("max pool overlapping with fused relu", t => Tensor.MaxPool2d(t[0], W(3, 2), relu: true), () => [R(1, 2, 5, 7)]),
        Row("avg pool", t => Tensor.AvgPool2d(t[0], W(2, 2), true), () => [R(2, 1, 4, 6)]),
        Row("avg pool padded exclude", t => Tensor.AvgPool2d(t[0], W(3, 2, 1), false), () => [R(1, 2, 5, 4)]),
        Row("avg pool padded include", t => Tensor.AvgPool2d(t[0], W(3, 2, 1), true), () => [R(1, 1, 5, 4)]),
        Row("adaptive avg pool", t => Tensor.AdaptiveAvgPool2d(t[0], 3, 2), () => [R(2, 2, 5, 7)]),
        Row("batchnorm2d train", t => new Dendrite.NN.Layers.BatchNorm2d(3).Forward(t[0]) * t[1], () => [R(2, 3, 2, 2), R(2, 3, 2, 2)]),
        Row("batchnorm1d train", t => new Dendrite.NN.Layers.BatchNorm1d(4).Forward(t[0]) * t[1], () => [R(5, 4), R(5, 4)]),
        Row("batchnorm2d eval", t => new Dendrite.NN.Layers.BatchNorm2d(2).Eval().Forward(t[0]), () => [R(2, 2, 3, 3)]),
        // The Functional forms, with every tensor argument checked (weights, biases, γ and β included).
        Row("functional conv2d", t => Functional.Conv2d(t[0], t[1], t[2], stride: (2, 1), padding: (1, 0), dilation: (1, 2)),
            () => [R(2, 2, 5, 6), R(3, 2, 3, 2), R(3)]),
        Row("functional conv2d unbatched groups", t => Functional.Conv2d(t[0], t[1], groups: 2, padding: Padding2d.Same),
            () => [R(4, 4, 4), R(2, 2, 3, 3)]),
        Row("functional max pool unbatched", t => Functional.MaxPool2d(t[0], 2, stride: 1, padding: 1), () => [R(2, 3, 3)]),
        Row("functional avg pool", t => Functional.AvgPool2d(t[0], (2, 3), padding: (1, 1), countIncludePad: false), () => [R(1, 2, 4, 5)]),
        Row("functional adaptive avg pool unbatched", t => Functional.AdaptiveAvgPool2d(t[0], (2, 3)), () => [R(2, 5, 4)]),
        Row("functional batch norm training", t => Functional.BatchNorm(t[0], null, null, t[1], t[2], training: true) * t[3],
            () => [R(3, 2, 2, 2), R(2), R(2), R(3, 2, 2, 2)]),
        Row("functional batch norm training 1d with running stats",
            t => Functional.BatchNorm(t[0], Tensor.Zeros(3), Tensor.Ones(3), t[1], null, training: true) * t[2],
            () => [R(4, 3), R(3), R(4, 3)]),
        Row("functional batch norm eval", t => Functional.BatchNorm(t[0], Tensor.FromArray([0.5f, -1f]), Tensor.FromArray([2f, 0.5f]), t[1], t[2]),
            () => [R(3, 2, 4), R(2), R(2)]),
    ];
}
