// Trains XOR through the public API of the Dendrite package and exits 0 when it has learned all four cases.
// Run by tests/Dendrite.Tests/Packaging/PackageTests.cs against a freshly packed package.
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Serialization;
using Dendrite.Tensors;

var x = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
var y = Tensor.FromArray(new float[,] { { 0 }, { 1 }, { 1 }, { 0 } });
var generator = new Generator(seed: 1);
var model = new Sequential(new Linear(2, 8, generator: generator), new Tanh(), new Linear(8, 1, generator: generator));
var lossFunction = new BceWithLogitsLoss();
var optimizer = new Adam(model.Parameters(), lr: 0.05f);

float loss = float.NaN;
for (int step = 0; step < 500; step++)
{
    optimizer.ZeroGrad();
    var l = lossFunction.Forward(model.Forward(x), y);
    l.Backward();
    optimizer.Step();
    loss = l.Item();
}

var probabilities = model.Forward(x).Sigmoid().ToArray();
var targets = y.ToArray();
int correct = Enumerable.Range(0, 4).Count(i => (probabilities[i] > 0.5f ? 1f : 0f) == targets[i]);
Console.WriteLine($"dendrite {ModelFile.DendriteVersion}");
Console.WriteLine($"xor: {correct}/4 correct, final loss {loss:F4}, outputs {string.Join(" ", probabilities.Select(p => p.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)))}");
return correct == 4 ? 0 : 1;
