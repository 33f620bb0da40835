#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 03, from one layer to many (docs/course/03-layers.md).
// Run: dotnet run -c Release examples/course/03-layers.cs [-- --write-figures]
using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;

// %% One layer in matrix notation: h = σ(W⁽¹⁾x + b), W⁽¹⁾ ∈ ℝ^(m×d)
// Dendrite's Linear(d, m) holds W as [m, d] (PyTorch's layout) and takes a batch of inputs as rows, so it computes
// X·Wᵀ + b: each row of the result is W x + b for one input x.
var generator = new Generator(seed: 3);
var layer = new Linear(4, 3, generator: generator);
var x = Tensor.Randn(generator, 1, 4);
using (GradMode.NoGrad())
{
    var byLayer = layer.Call(x).Sigmoid();
    var byHand = (layer.Weight.MatMul(x.Reshape(4, 1)).Reshape(3) + layer.Bias!).Sigmoid();
    Console.WriteLine($"W⁽¹⁾ shape for d = 4 inputs and m = 3 units: [{layer.Weight.Shape[0]}, {layer.Weight.Shape[1]}] (lecture: m × d = 3 × 4)");
    Console.WriteLine($"h shape: [{byLayer.Shape[1]}] (lecture: h ∈ ℝ^m, m = 3)");
    Console.WriteLine($"max |Linear + Sigmoid − σ(W x + b)|: {(byLayer.Reshape(3) - byHand).Abs().Max().Item():G2} (lecture: 0, the same computation)");
}

// %% Counting parameters: D inputs → 3 → 3 → 1, as in the lecture's three-layer network
var threeLayers = new Sequential(new Linear(2, 3), new Sigmoid(), new Linear(3, 3), new Sigmoid(), new Linear(3, 1), new Sigmoid());
Console.WriteLine($"parameters of 2 → 3 → 3 → 1: {threeLayers.ParameterCount()} (lecture: (3·2 + 3) + (3·3 + 3) + (1·3 + 1) = 25)");

// %% Without an activation, two layers are one: h = W x + b, f = w₂ᵀh + b₂ = (w₂ᵀW) x + b′
var first = new Linear(2, 3, generator: generator);
var second = new Linear(3, 1, generator: generator);
var stacked = new Sequential(first, second);
var inputs = Tensor.Randn(generator, 100, 2);
using (GradMode.NoGrad())
{
    var merged = second.Weight.MatMul(first.Weight);                          // w₂ᵀW, [1, 2]
    var bias = second.Weight.MatMul(first.Bias!.Reshape(3, 1)).Reshape(1) + second.Bias!; // w₂ᵀb + b₂
    var one = inputs.MatMul(merged.Transpose(0, 1)) + bias;
    Console.WriteLine($"merged weight w₂ᵀW: [{string.Join(", ", merged.ToArray().Select(v => v.ToString("F4")))}], b′ = {bias.Item():F4}");
    Console.WriteLine($"max |two linear layers − one merged layer| over 100 inputs: {(stacked.Call(inputs) - one).Abs().Max().Item():G2} (lecture: 0, f = w₂ᵀW x + b′)");
}

// %% XOR needs a hidden layer with a non-linearity
// Both networks are 2 → 2 → 1 with a sigmoid output, trained the same way on the four XOR cases by full-batch
// gradient descent on the binary cross-entropy; only the hidden activation differs.
var xor = TruthTables.Xor();
var targets = xor.Targets;
(Sequential Net, int Correct, float Loss) Train(Module hiddenActivation, ulong seed)
{
    var g = new Generator(seed);
    var net = new Sequential(new Linear(2, 2, generator: g), hiddenActivation, new Linear(2, 1, generator: g));
    var optimizer = new Sgd(net.Parameters(), lr: 1f);
    var loss = new BceWithLogitsLoss();
    float last = float.NaN;
    for (int step = 0; step < 3000; step++)
    {
        var l = loss.Call(net.Call(xor.Inputs), targets);
        optimizer.ZeroGrad();
        l.Backward();
        optimizer.Step();
        last = l.Item();
    }
    using var noGrad = GradMode.NoGrad();
    var predicted = net.Call(xor.Inputs).Gt(0f).ToArray();
    return (net, predicted.Zip(targets.ToArray()).Count(p => p.First == p.Second), last);
}
var withTanh = Train(new Tanh(), seed: 1);
var linear = Train(new Identity(), seed: 1);
Console.WriteLine($"XOR, 2 → 2 (tanh) → 1, correct of 4: {withTanh.Correct} (lecture: 4, one hidden layer suffices)");
Console.WriteLine($"XOR, 2 → 2 (no activation) → 1, correct of 4: {linear.Correct} (lecture: at most 3, still one line)");
Console.WriteLine($"final loss with tanh {withTanh.Loss:F4}, without {linear.Loss:F4}");

// %% What the hidden layer did: it moved the four points to where one line separates them
using (GradMode.NoGrad())
{
    var hidden = withTanh.Net.NamedChildren().First().Module.Call(xor.Inputs).Tanh().ToArray();
    for (int i = 0; i < 4; i++)
        Console.WriteLine($"hidden features of ({xor.Inputs[i, 0].Item()}, {xor.Inputs[i, 1].Item()}), XOR = {targets[i, 0].Item()}: ({hidden[2 * i]:F2}, {hidden[2 * i + 1]:F2})");
}

// %% Figure: the decision regions of the two networks
var box = (-0.5f, 1.5f, -0.5f, 1.5f);
var pair = new RgbImage(2 * 260 + 10, 260);
pair.Draw(DecisionBoundary.Render(withTanh.Net, box, 260, 260, xor.Inputs, targets.Reshape(-1), pointRadius: 7), 0, 0);
pair.Draw(DecisionBoundary.Render(linear.Net, box, 260, 260, xor.Inputs, targets.Reshape(-1), pointRadius: 7), 270, 0);
pair.Save(Path.Combine(figures, "03-xor-hidden-layer.png"));
Console.WriteLine($"figures: {figures}");
