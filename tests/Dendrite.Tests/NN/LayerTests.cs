using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;

namespace Dendrite.Tests.NN;

public class LayerTests
{
    private static Linear LinearWith(float[,] weight, float[]? bias)
    {
        var layer = new Linear(weight.GetLength(1), weight.GetLength(0), bias is not null);
        var state = new Dictionary<string, Tensor> { ["weight"] = Tensor.FromArray(weight) };
        if (bias is not null) state["bias"] = Tensor.FromArray(bias);
        layer.LoadStateDict(state);
        return layer;
    }

    // ----- Linear -----

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(64)]
    public void SequentialLinearReLUFusionChangesNoResult(int batch)
    {
        // Sequential runs Linear→ReLU as one GEMM with a ReLU epilogue when nothing is recorded; the layers
        // one by one are the reference, for row batches and for inputs with extra leading dimensions.
        var model = Models.Mlp(37, [19, 16], 5, generator: new Generator(3));
        foreach (var shape in new[] { new[] { batch, 37 }, new[] { 2, batch, 37 } })
        {
            var x = Tensor.Randn(new Generator((ulong)batch), shape);
            Tensor Unfused()
            {
                var y = x;
                for (int i = 0; i < model.Count; i++) y = model[i].Forward(y);
                return y;
            }
            using (GradMode.NoGrad())
                Assert.Equal(Unfused().ToArray(), model.Forward(x).ToArray());

            // With gradients recorded the fusion stands aside: same output, same gradients.
            var fused = model.Forward(x);
            fused.Sum().Backward();
            var grad = ((Linear)model[0]).Weight.Grad!.ToArray();
            model.ZeroGrad();
            var unfused = Unfused();
            unfused.Sum().Backward();
            Assert.Equal(unfused.ToArray(), fused.ToArray());
            Assert.Equal(((Linear)model[0]).Weight.Grad!.ToArray(), grad);
            model.ZeroGrad();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(64)]
    public void SequentialConvReLUMaxPoolFusionChangesNoResult(int batch)
    {
        // Without a graph Sequential runs Conv2d→ReLU→MaxPool2d as one op that pools each image's map from
        // cache; layer by layer is the reference, bit for bit: LeNet-5 (stride-1 convolutions, 2×2 pools), a
        // strided convolution and an overlapping padded pool, batched and unbatched input.
        var strided = new Sequential(new Conv2d(3, 4, 3, stride: 2, padding: 1, generator: new Generator(2)), new ReLU(),
            new MaxPool2d(3, stride: 2, padding: 1), new Conv2d(4, 5, 2, generator: new Generator(3)), new ReLU(), new MaxPool2d(2));
        foreach (var (model, shape) in new[] { (Models.LeNet5(generator: new Generator(1)), new[] { batch, 1, 28, 28 }),
                     (strided, new[] { batch, 3, 17, 19 }), (strided, new[] { 3, 17, 19 }) })
        {
            var x = Tensor.Randn(new Generator((ulong)batch), shape);
            using var noGrad = GradMode.NoGrad();
            var y = x;
            for (int i = 0; i < model.Count; i++) y = model[i].Forward(y);
            Assert.Equal(y.Shape.ToArray(), model.Forward(x).Shape.ToArray());
            Assert.Equal(y.ToArray(), model.Forward(x).ToArray());
        }
    }

    [Fact]
    public void LinearWritesTheWeightGradientIntoGradAsTheEngineWouldAccumulateIt()
    {
        // dW goes straight into a parameter's .Grad (overwriting after ZeroGrad, adding otherwise); the same
        // product through the engine — the weight behind a non-leaf view — is the reference.
        var layer = new Linear(40, 30, generator: new Generator(7));
        var x = Tensor.Randn(new Generator(8), 16, 40);
        var w = layer.Weight;
        var viaEngine = w.Detach().Clone().RequiresGrad_();
        Tensor Loss(Tensor weight) => (Tensor.Linear(x, weight, layer.Bias) * Tensor.Randn(new Generator(9), 16, 30)).Sum();

        Loss(w).Backward();
        Loss(viaEngine * 1f).Backward();
        Assert.Equal(viaEngine.Grad!.ToArray(), w.Grad!.ToArray());
        var buffer = w.Grad;

        Loss(w).Backward(); // accumulates
        Loss(viaEngine * 1f).Backward();
        Assert.Equal(viaEngine.Grad!.ToArray(), w.Grad!.ToArray());

        w.ZeroGrad();
        viaEngine.ZeroGrad();
        Loss(w).Backward(); // overwrites the same buffer
        Loss(viaEngine * 1f).Backward();
        Assert.Same(buffer, w.Grad);
        Assert.Equal(viaEngine.Grad!.ToArray(), w.Grad!.ToArray());
    }

    [Fact]
    public void InferenceReusesPackedWeightsOnlyWhileTheyAreUnchanged()
    {
        // From its second no-grad call on, a Linear multiplies by Wᵀ packed once; the result must keep its bits,
        // and every way of changing W (an optimizer step, LoadStateDict, an in-place op) must be seen at once.
        var layer = new Linear(300, 70, generator: new Generator(4));
        var x = Tensor.Randn(new Generator(5), 64, 300);
        float[] Infer()
        {
            using var noGrad = GradMode.NoGrad();
            return layer.Forward(x).ToArray();
        }
        float[] Expected()
        {
            // The same product with a fresh copy of W, which no cache has seen.
            using var noGrad = GradMode.NoGrad();
            return Tensor.Linear(x, layer.Weight.Clone(), layer.Bias!.Clone()).ToArray();
        }
        var first = Infer();
        Assert.Equal(Expected(), first);
        Assert.Equal(first, Infer()); // packed now
        Assert.IsType<PackedWeights>(layer.Weight.Storage.KernelCache);
        Assert.Equal(first, Infer());

        (layer.Forward(x).Sum() * 0.01f).Backward();
        new Dendrite.Optim.Sgd(layer.Parameters(), lr: 0.5f).Step();
        var afterStep = Infer();
        Assert.NotEqual(first, afterStep);
        Assert.Equal(Expected(), afterStep);
        Assert.Equal(afterStep, Infer());

        layer.LoadStateDict(new Dictionary<string, Tensor> { ["weight"] = Tensor.Randn(new Generator(6), 70, 300), ["bias"] = Tensor.Zeros(70) });
        Assert.Equal(Expected(), Infer());
        using (GradMode.NoGrad()) layer.Weight.Mul_(2f);
        Assert.Equal(Expected(), Infer());
    }

    [Fact]
    public void LinearComputesXWTransposedPlusB()
    {
        var layer = LinearWith(new float[,] { { 1, 2, 3 }, { -1, 0, 1 } }, [0.5f, -2f]);
        var y = layer.Forward(Tensor.FromArray(new float[,] { { 1, 1, 1 }, { 2, 0, -1 } }));
        Assert.Equal(new Shape(2, 2), y.Shape);
        Assert.Equal([6.5f, -2f, -0.5f, -5f], y.ToArray());
        Assert.Equal((3, 2), (layer.InFeatures, layer.OutFeatures));
        Assert.Equal(new Shape(2, 3), layer.Weight.Shape);
        Assert.Equal(new Shape(2), layer.Bias!.Shape);
    }

    [Fact]
    public void LinearAcceptsAnyLeadingDimensions()
    {
        var layer = LinearWith(new float[,] { { 1, 2 }, { 3, 4 }, { 5, 6 } }, [1f, 0f, -1f]);
        var x = Tensor.Arange(12f).Reshape(2, 3, 2);
        var y = layer.Forward(x);
        Assert.Equal(new Shape(2, 3, 3), y.Shape);
        var rows = layer.Forward(x.Reshape(6, 2));
        Assert.Equal(rows.ToArray(), y.ToArray());
        var single = layer.Forward(Tensor.FromArray([1f, -1f]));
        Assert.Equal(new Shape(3), single.Shape);
        Assert.Equal([0f, -1f, -2f], single.ToArray());
    }

    [Fact]
    public void LinearWithoutBiasHasNoBiasParameter()
    {
        var layer = LinearWith(new float[,] { { 2, 0 } }, null);
        Assert.Null(layer.Bias);
        Assert.Equal(["weight"], layer.NamedParameters().Select(p => p.Name));
        Assert.Equal([6f], layer.Forward(Tensor.FromArray(new float[,] { { 3, 5 } })).ToArray());
    }

    [Fact]
    public void LinearNamesTheWrongShape()
    {
        var layer = new Linear(4, 2);
        var error = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(2, 3)));
        Assert.Equal("Linear: expected input with 4 features (last dimension), got shape [2,3]", error.Message);
        Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Scalar(1f)));
        Assert.Throws<ArgumentException>(() => new Linear(0, 2));
        var biasError = Assert.Throws<ArgumentException>(() => Functional.Linear(Tensor.Zeros(1, 4), Tensor.Zeros(2, 4), Tensor.Zeros(3)));
        Assert.Contains("[2]", biasError.Message);
        Assert.Throws<ArgumentException>(() => Functional.Linear(Tensor.Zeros(1, 4), Tensor.Zeros(4)));
    }

    [Fact]
    public void LinearDefaultInitIsUniformWithinOneOverRootFanIn()
    {
        var layer = new Linear(25, 400, generator: new Generator(1));
        float bound = 1f / 5f;
        var w = layer.Weight.ToArray();
        var b = layer.Bias!.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(b, v => Assert.InRange(v, -bound, bound));
        Assert.True(w.Max() > 0.99f * bound && w.Min() < -0.99f * bound);
        double variance = w.Average(v => (double)v * v);
        Assert.Equal(bound * bound / 3, variance, bound * bound / 3 * 0.03);
        Assert.Equal(layer.Weight.ToArray(), new Linear(25, 400, generator: new Generator(1)).Weight.ToArray());
    }

    [Fact]
    public void LinearGradientsReachWeightAndBias()
    {
        var layer = LinearWith(new float[,] { { 1, 2 } }, [0f]);
        var x = Tensor.FromArray(new float[,] { { 3, 4 }, { 5, 6 } }).RequiresGrad_();
        layer.Forward(x).Sum().Backward();
        Assert.Equal([8f, 10f], layer.Weight.Grad!.ToArray());
        Assert.Equal([2f], layer.Bias!.Grad!.ToArray());
        Assert.Equal([1f, 2f, 1f, 2f], x.Grad!.ToArray());
    }

    // ----- activations -----

    [Fact]
    public void StepIsTheHeavisideWithZeroAtZero()
    {
        var y = new Step().Forward(Tensor.FromArray([-2f, -0f, 0f, 1e-30f, 3f, float.NaN]));
        Assert.Equal([0f, 0f, 0f, 1f, 1f, float.NaN], y.ToArray());
    }

    [Fact]
    public void StepRefusesToBackPropagate()
    {
        var x = Tensor.FromArray([0.5f, -1f]).RequiresGrad_();
        var model = new Sequential(new Linear(2, 1), new Step());
        var y = new Step().Forward(x);
        var error = Assert.Throws<InvalidOperationException>(() => y.Sum().Backward());
        Assert.Equal("Step: the Heaviside step has zero gradient almost everywhere and none at 0; use Sigmoid for gradient descent",
            error.Message);
        Assert.Throws<InvalidOperationException>(() => model.Forward(Tensor.Ones(3, 2)).Sum().Backward());
        using (GradMode.NoGrad()) Assert.Equal(new Shape(3, 1), model.Forward(Tensor.Ones(3, 2)).Shape);
    }

    [Fact]
    public void LeakyReluScalesNegativesAndUsesTheSlopeAtZero()
    {
        var x = Tensor.FromArray([-2f, 0f, 3f]).RequiresGrad_();
        var y = new LeakyReLU(0.1f).Forward(x);
        Assert.Equal([-0.2f, 0f, 3f], y.ToArray());
        y.Sum().Backward();
        Assert.Equal([0.1f, 0.1f, 1f], x.Grad!.ToArray());
        Assert.Equal(0.01f, new LeakyReLU().NegativeSlope);
        Assert.Throws<ArgumentException>(() => new LeakyReLU(float.NaN));
    }

    [Fact]
    public void ActivationModulesMatchTheirTensorOps()
    {
        var x = Tensor.Randn(new Generator(3), 4, 5);
        Assert.Equal(x.Relu().ToArray(), new ReLU().Forward(x).ToArray());
        Assert.Equal(x.Sigmoid().ToArray(), new Sigmoid().Forward(x).ToArray());
        Assert.Equal(x.Tanh().ToArray(), new Tanh().Forward(x).ToArray());
        Assert.Same(x, new Identity().Forward(x));
        var s = new Softmax(1).Forward(x).Sum(1).ToArray();
        Assert.All(s, v => Assert.Equal(1f, v, 5));
        var ls = new LogSoftmax(0).Forward(x).Exp().Sum(0).ToArray();
        Assert.All(ls, v => Assert.Equal(1f, v, 5));
        Assert.ThrowsAny<ArgumentException>(() => new Softmax(2).Forward(x));
    }

    // ----- Maxout -----

    [Fact]
    public void MaxoutTakesTheLargestPieceAndRoutesTheGradientToIt()
    {
        var layer = new Maxout(2, 2, 3);
        // Unit 0's pieces: x₁, x₂, −x₁; unit 1's pieces: 0, x₁ + x₂, 1.
        layer.LoadStateDict(new Dictionary<string, Tensor>
        {
            ["weight"] = Tensor.FromArray(new float[,] { { 1, 0 }, { 0, 1 }, { -1, 0 }, { 0, 0 }, { 1, 1 }, { 0, 0 } }),
            ["bias"] = Tensor.FromArray([0f, 0f, 0f, 0f, 0f, 1f]),
        });
        var x = Tensor.FromArray(new float[,] { { 2, 3 }, { -4, 1 } }).RequiresGrad_();
        var y = layer.Forward(x);
        Assert.Equal([3f, 5f, 4f, 1f], y.ToArray());
        y.Sum().Backward();
        // Winners: row 0 → pieces 1 and 4; row 1 → pieces 2 and 5.
        Assert.Equal([0f, 0f, 2f, 3f, -4f, 1f, 0f, 0f, 2f, 3f, -4f, 1f], layer.Weight.Grad!.ToArray());
        Assert.Equal([0f, 1f, 1f, 0f, 1f, 1f], layer.Bias!.Grad!.ToArray());
        Assert.Equal([1f, 2f, -1f, 0f], x.Grad!.ToArray());
    }

    [Fact]
    public void MaxoutChecksItsArguments()
    {
        var error = Assert.Throws<ArgumentException>(() => new Maxout(3, 2, 2).Forward(Tensor.Zeros(4, 2)));
        Assert.Equal("Maxout: expected input with 3 features (last dimension), got shape [4,2]", error.Message);
        Assert.Throws<ArgumentException>(() => new Maxout(3, 2, 0));
        Assert.Throws<ArgumentException>(() => Functional.Maxout(Tensor.Zeros(1, 3), Tensor.Zeros(5, 3), null, 2));
        Assert.Equal(new Shape(2, 4, 2), new Maxout(3, 2, 4).Forward(Tensor.Zeros(2, 4, 3)).Shape);
    }

    // ----- Dropout -----

    [Fact]
    public void DropoutZeroesAboutPAndScalesTheRest()
    {
        var x = Tensor.Ones(200, 500);
        var y = new Dropout(0.3f, new Generator(1)).Forward(x).ToArray();
        double dropped = y.Count(v => v == 0) / (double)y.Length;
        Assert.Equal(0.3, dropped, 0.005);
        Assert.All(y.Where(v => v != 0), v => Assert.Equal(1f / 0.7f, v));
        Assert.Equal(1.0, y.Average(v => (double)v), 0.01);
    }

    [Fact]
    public void DropoutIsTheIdentityInEvalAndForPZero()
    {
        var x = Tensor.Randn(new Generator(2), 3, 4);
        var dropout = new Dropout();
        Assert.Equal(0.5f, dropout.P);
        dropout.Eval();
        Assert.Same(x, dropout.Forward(x));
        Assert.Same(x, new Dropout(0f).Forward(x));
        Assert.Same(x, Functional.Dropout(x, 0.5f, training: false));
    }

    [Fact]
    public void DropoutGradientIsTheScaledMask()
    {
        var x = Tensor.Full([10, 10], 2f).RequiresGrad_();
        var y = Functional.Dropout(x, 0.5f, training: true, new Generator(3));
        y.Sum().Backward();
        var kept = y.ToArray().Select(v => v != 0 ? 2f : 0f);
        Assert.Equal(kept, x.Grad!.ToArray());
    }

    [Fact]
    public void DropoutMasksRepeatForASeedAndVaryBetweenCalls()
    {
        var x = Tensor.Ones(8, 8);
        var a = Functional.Dropout(x, 0.5f, true, new Generator(4)).ToArray();
        var b = Functional.Dropout(x, 0.5f, true, new Generator(4)).ToArray();
        Assert.Equal(a, b);
        var layer = new Dropout(0.5f, new Generator(4));
        Assert.NotEqual(layer.Forward(x).ToArray(), layer.Forward(x).ToArray());
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void DropoutRejectsPOutsideZeroToOne(float p)
    {
        var error = Assert.Throws<ArgumentException>(() => new Dropout(p));
        Assert.StartsWith("Dropout: p is the probability of zeroing an element and must lie in [0, 1)", error.Message);
        Assert.Throws<ArgumentException>(() => Functional.Dropout(Tensor.Ones(2), p));
    }

    // ----- Flatten -----

    [Fact]
    public void FlattenKeepsTheBatchDimensionByDefault()
    {
        var x = Tensor.Zeros(2, 3, 4, 5);
        Assert.Equal(new Shape(2, 60), new Flatten().Forward(x).Shape);
        Assert.Equal(new Shape(2, 12, 5), new Flatten(1, 2).Forward(x).Shape);
        Assert.Equal(new Shape(120), new Flatten(0).Forward(x).Shape);
        Assert.Throws<ArgumentException>(() => new Flatten(2, 1).Forward(x));
    }

    // ----- FeatureMap -----

    [Fact]
    public void FeatureMapProducesTheChosenFeaturesInOrder()
    {
        var x = Tensor.FromArray(new float[,] { { 2, -1 }, { 0.5f, 3 } });
        var all = new FeatureMap(FeatureSet.All);
        Assert.Equal(7, all.OutFeatures);
        Assert.Equal([2f, -1f, 4f, 1f, -2f, MathF.Sin(2f), MathF.Sin(-1f)], all.Forward(x)[0].ToArray());
        var phi = new FeatureMap(FeatureSet.X1X2 | FeatureSet.X2 | FeatureSet.X1);
        Assert.Equal(3, phi.OutFeatures);
        Assert.Equal([2f, -1f, -2f, 0.5f, 3f, 1.5f], phi.Forward(x).ToArray());
    }

    [Fact]
    public void FeatureMapMakesXorLinearlySeparable()
    {
        // XOR on ±1 inputs: the label is 1 exactly when x₁·x₂ < 0, a linear threshold on Φ = (x₁, x₂, x₁x₂).
        var x = Tensor.FromArray(new float[,] { { -1, -1 }, { -1, 1 }, { 1, -1 }, { 1, 1 } });
        var linear = LinearWith(new float[,] { { 0, 0, -1 } }, [0f]);
        var perceptron = new Sequential(new FeatureMap(FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2), linear, new Step());
        Assert.Equal([0f, 1f, 1f, 0f], perceptron.Forward(x).ToArray());
    }

    [Fact]
    public void FeatureMapChecksItsInput()
    {
        var error = Assert.Throws<ArgumentException>(() => new FeatureMap(FeatureSet.X1).Forward(Tensor.Zeros(4, 3)));
        Assert.Equal("FeatureMap: expected points of shape [N,2] (x1, x2), got shape [4,3]", error.Message);
        Assert.Throws<ArgumentException>(() => new FeatureMap(FeatureSet.None));
        Assert.Throws<ArgumentException>(() => new FeatureMap((FeatureSet)128));
    }
}
