#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 01, the perceptron (docs/course/01-perceptron.md).
// Run: dotnet run -c Release examples/course/01-perceptron.cs [-- --write-figures]
// Every worked number is printed as "<label>: <Dendrite's value> (lecture: <the lecture's value>)". The figures go to
// docs/course/images with --write-figures, otherwise to a temporary folder.
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;
using Dendrite.Training;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;

// A linear layer whose weights are set by hand rather than learned.
Linear Neuron(float[] weights, float bias)
{
    var layer = new Linear(weights.Length, 1);
    using (GradMode.NoGrad())
    {
        layer.Weight.CopyFrom_(Tensor.FromArray(weights, 1, weights.Length));
        layer.Bias!.Fill_(bias);
    }
    return layer;
}

// %% One neuron by hand: ŷ = g(1 + 3x₁ − 2x₂) at x = (−1, 2)
// The lecture's neuron has bias θ₀ = 1 and weights θ = (3, −2); its input is x = (−1, 2).
var neuron = Neuron([3f, -2f], 1f);
var x = Tensor.FromArray(new float[,] { { -1f, 2f } });
using (GradMode.NoGrad())
{
    var z = neuron.Call(x);
    Console.WriteLine($"z = 1 + 3·(−1) − 2·2: {z.Item():F0} (lecture: -6)");
    Console.WriteLine($"ŷ = σ(−6): {z.Sigmoid().Item():F5} (lecture: 0.002)");
    Console.WriteLine($"ŷ with a step activation, step(−6): {z.Step().Item():F0} (lecture: 0, the point lies on the negative side of the line)");
}

// %% The perceptron rule on AND, one update at a time
// w ← w + η(t − y)x and b ← b + η(t − y): nothing changes when the prediction y equals the target t.
var and = TruthTables.And();
var andTargets = and.Targets.Reshape(-1);
var traced = new PerceptronRule(inputs: 2);
for (int epoch = 1; epoch <= 2; epoch++)
    for (int i = 0; i < 4; i++)
    {
        var sample = and.Inputs.Narrow(0, i, 1);
        float before = traced.Predict(sample).Item();
        traced.Fit(sample, andTargets.Narrow(0, i, 1), epochs: 1, eta: 0.1f);
        var w = traced.Weights.ToArray();
        Console.WriteLine($"AND epoch {epoch}, x = ({sample[0, 0].Item()}, {sample[0, 1].Item()}), t = {andTargets[i].Item()}, y = {before}" +
                          $" → w = ({w[0]:F1}, {w[1]:F1}), b = {traced.Bias:F1}");
    }

// %% AND and OR are learned; XOR is not
(PerceptronRule Rule, int Correct, int Epochs) Learn(TensorDataset table, int epochs)
{
    var rule = new PerceptronRule(inputs: table.Inputs.Shape[1]);
    int ran = rule.Fit(table.Inputs, table.Targets.Reshape(-1), epochs, eta: 0.1f).Count;
    var predicted = rule.Predict(table.Inputs).ToArray();
    var targets = table.Targets.ToArray();
    return (rule, predicted.Zip(targets).Count(p => p.First == p.Second), ran);
}
var andRule = Learn(and, 100);
var orRule = Learn(TruthTables.Or(), 100);
var xorRule = Learn(TruthTables.Xor(), 1000);
Console.WriteLine($"AND, perceptron rule, correct of 4: {andRule.Correct} (lecture: 4, a line separates AND)");
Console.WriteLine($"OR, perceptron rule, correct of 4: {orRule.Correct} (lecture: 4, a line separates OR)");
Console.WriteLine($"XOR, perceptron rule after 1000 epochs, correct of 4: {xorRule.Correct} (lecture: at most 3, no line separates XOR)");
Console.WriteLine($"AND line after {andRule.Epochs} epochs: {andRule.Rule.Weights[0].Item():F1}·x₁ + {andRule.Rule.Weights[1].Item():F1}·x₂ + {andRule.Rule.Bias:F1} = 0");
Console.WriteLine($"OR line after {orRule.Epochs} epochs: {orRule.Rule.Weights[0].Item():F1}·x₁ + {orRule.Rule.Weights[1].Item():F1}·x₂ + {orRule.Rule.Bias:F1} = 0");

// %% XOR becomes separable after the feature map Φ(x_u, x_v) = (x_u, x_v, x_u·x_v)
var phi = new FeatureMap(FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2);
var xor = TruthTables.Xor();
var lifted = new TensorDataset(phi.Call(xor.Inputs), xor.Targets);
var liftedRule = Learn(lifted, 100);
var lw = liftedRule.Rule.Weights.ToArray();
Console.WriteLine($"Φ(1, 1): ({string.Join(", ", phi.Call(Tensor.FromArray(new float[,] { { 1f, 1f } })).ToArray())}) (lecture: (1, 1, 1))");
Console.WriteLine($"XOR after Φ, perceptron rule, correct of 4: {liftedRule.Correct} (lecture: 4, a plane separates the lifted points)");
Console.WriteLine($"XOR plane after {liftedRule.Epochs} epochs: {lw[0]:F1}·x_u + {lw[1]:F1}·x_v + {lw[2]:F1}·x_u·x_v + {liftedRule.Rule.Bias:F1} = 0");

// %% Figures: the three truth tables with the perceptron's line, and XOR through the feature map
// A perceptron's step is drawn as a steep sigmoid (logits ×20), so each side of its line gets its class colour.
Module Picture(PerceptronRule rule, Module? features = null)
{
    var layer = Neuron([.. rule.Weights.ToArray().Select(v => 20 * v)], 20 * rule.Bias);
    return features is null ? layer : new Sequential(features, layer);
}
var box = (-0.5f, 1.5f, -0.5f, 1.5f);
RgbImage Panel(Module model, TensorDataset table) =>
    DecisionBoundary.Render(model, box, 220, 220, table.Inputs, table.Targets.Reshape(-1), pointRadius: 7);
var panels = new[] { Panel(Picture(andRule.Rule), and), Panel(Picture(orRule.Rule), TruthTables.Or()), Panel(Picture(xorRule.Rule), xor) };
var strip = new RgbImage(3 * 220 + 2 * 10, 220);
for (int p = 0; p < 3; p++) strip.Draw(panels[p], p * 230, 0);
strip.Save(Path.Combine(figures, "01-and-or-xor.png"));
Panel(Picture(liftedRule.Rule, phi), xor).Upscale(2).Save(Path.Combine(figures, "01-xor-feature-map.png"));
Console.WriteLine($"figures: {figures}");
