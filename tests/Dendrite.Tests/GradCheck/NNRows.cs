using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.GradCheck;

/// <summary>GradCheck rows for the NN layers and activations (Functional forms and modules).</summary>
public static class NNRows
{
    private static int seed = 1000;

    private static Generator NextGenerator() => new((ulong)Interlocked.Increment(ref seed));

    private static Tensor R(params int[] shape) => Tensor.Randn(NextGenerator(), shape).RequiresGrad_();

    private static Tensor V(params float[] values) => Tensor.FromArray(values).RequiresGrad_();

    private static GradCase Row(string name, Func<Tensor[], Tensor> f, Func<Tensor[]> inputs, double atol = 1e-3, double rtol = 1e-2) =>
        new(name, f, inputs, atol, rtol);

    // Weight gradients are checked through the Functional forms the modules call; module rows check the wiring.
    private static readonly Maxout MaxoutLayer = new(3, 2, 3, generator: new Generator(5));

    public static IEnumerable<GradCase> Rows =>
    [
        Row("nn linear", t => Functional.Linear(t[0], t[1], t[2]), () => [R(4, 3), R(2, 3), R(2)]),
        Row("nn linear no bias", t => Functional.Linear(t[0], t[1]), () => [R(4, 3), R(2, 3)]),
        Row("nn linear 3d input", t => Functional.Linear(t[0], t[1], t[2]), () => [R(2, 3, 4), R(5, 4), R(5)]),
        Row("nn linear 1d input", t => Functional.Linear(t[0], t[1], t[2]), () => [R(3), R(2, 3), R(2)]),
        Row("nn linear module", t => new Linear(3, 2, generator: new Generator(9)).Forward(t[0]), () => [R(4, 3)]),
        Row("nn leaky relu", t => Functional.LeakyRelu(t[0], 0.1f), () => [V(-1.5f, -0.2f, 0.3f, 2f)]),
        Row("nn leaky relu negative slope", t => Functional.LeakyRelu(t[0], -0.5f), () => [V(-1.5f, -0.2f, 0.3f, 2f)]),
        Row("nn leaky relu module", t => new LeakyReLU().Forward(t[0]), () => [V(-3f, -0.4f, 0.25f, 1.2f)]),
        Row("nn relu module", t => new ReLU().Forward(t[0]), () => [V(-3f, -0.4f, 0.25f, 1.2f)]),
        Row("nn sigmoid module", t => new Sigmoid().Forward(t[0]), () => [R(2, 3)]),
        Row("nn tanh module", t => new Tanh().Forward(t[0]), () => [R(2, 3)]),
        Row("nn identity module", t => new Identity().Forward(t[0]) * 2f, () => [R(3)]),
        Row("nn sin", t => t[0].Sin(), () => [R(2, 3)]),
        // Ties between pieces are measure-zero for random weights; the gradient goes to the winner.
        Row("nn maxout", t => Functional.Maxout(t[0], t[1], t[2], 3), () => [R(4, 3), R(6, 3), R(6)]),
        Row("nn maxout 3d input no bias", t => Functional.Maxout(t[0], t[1], null, 2), () => [R(2, 2, 3), R(4, 3)]),
        Row("nn maxout module", t => MaxoutLayer.Forward(t[0]), () => [R(5, 3)]),
        Row("nn feature map all", t => new FeatureMap(FeatureSet.All).Forward(t[0]), () => [R(3, 2)]),
        Row("nn feature map course phi", t => Functional.FeatureMap(t[0], FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2), () => [R(4, 2)]),
        Row("nn softmax module", t => new Softmax(1).Forward(t[0]), () => [R(3, 4)]),
        Row("nn softmax module axis 0", t => new Softmax(0).Forward(t[0]), () => [R(3, 2, 2)]),
        Row("nn log softmax module", t => new LogSoftmax(-1).Forward(t[0]), () => [R(3, 4)]),
        Row("nn flatten module", t => new Flatten().Forward(t[0]) * Tensor.Arange(6f), () => [R(2, 3, 2)]),
        // A new generator with the same seed per call gives the same mask on every evaluation, so finite
        // differences see a fixed linear map.
        Row("nn dropout training", t => Functional.Dropout(t[0], 0.4f, training: true, new Generator(7)), () => [R(4, 5)]),
        Row("nn dropout module", t => new Dropout(0.3f, new Generator(11)).Forward(t[0]), () => [R(3, 4)]),
        Row("nn mlp", t => new Sequential(new Linear(2, 4, generator: new Generator(1)), new Tanh(),
            new Linear(4, 1, generator: new Generator(2)), new Sigmoid()).Forward(t[0]), () => [R(3, 2)]),
    ];
}
