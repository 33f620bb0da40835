#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 10-fgsm (docs/course/10-understanding.md). Write the fast gradient sign method: the gradient of the
// cross-entropy loss with respect to the input images (not the weights), its sign, one step of ε in that
// direction, clamped to [0, 1]. The check trains a small MLP on 2,000 digits of data/mnist-sample (a few
// seconds), compares your images with Dendrite's Adversarial.Fgsm, and expects your attack to bring the model's
// accuracy on 200 test digits below half at ε = 0.2.
// Useful: x.RequiresGrad_(), Functional.CrossEntropy(logits, labels), Backward(), x.Grad, Sign(), Clamp(min, max),
// GradMode.NoGrad().
// Run from the repository root: dotnet run -c Release examples/course/exercises/10-fgsm.cs
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Metrics;

string? data = null;
for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null && data is null; dir = dir.Parent)
    if (Directory.Exists(Path.Combine(dir.FullName, "data", "mnist-sample"))) data = Path.Combine(dir.FullName, "data", "mnist-sample");
if (data is null) return NotYet("cannot find data/mnist-sample: run from the repository root");

var train = Mnist.Load(data, train: true);
var test = Mnist.Load(data, train: false);
var generator = new Generator(seed: 10);
var model = Models.Mlp(784, [64], 10, generator: generator);
var subset = new TensorDataset(train.Inputs.Narrow(0, 0, 2000).Reshape(2000, 784), train.Targets.Narrow(0, 0, 2000));
new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 2e-3f), new Accuracy())
    .Fit(new DataLoader(subset, batchSize: 32, shuffle: true, generator: generator), epochs: 5);
model.Eval();
var images = test.Inputs.Narrow(0, 0, 200).Reshape(200, 784);
var labels = test.Targets.Narrow(0, 0, 200);
double Accuracy(Tensor x)
{
    var predicted = Adversarial.Predictions(model, x);
    return predicted.Where((p, i) => p == (int)labels[i].Item()).Count() / 200.0;
}

try
{
    var yours = Fgsm(model, images, labels, 0.2f);
    if (!yours.Shape.ToArray().SequenceEqual([200, 784]))
        return NotYet($"your images have shape {yours.Shape}, expected [200, 784] like the input");
    var reference = Adversarial.Fgsm(model, images, labels, 0.2f).ToArray();
    var mine = yours.ToArray();
    int differ = 0;
    for (int i = 0; i < mine.Length; i++)
        if (!(Math.Abs(mine[i] - reference[i]) <= 1e-5)) differ++;
    // A handful of pixels whose gradient is (numerically) zero may go either way; more is a real difference.
    if (differ > mine.Length / 1000)
        return NotYet($"{differ} of {mine.Length} pixels differ from Adversarial.Fgsm (step along the gradient's sign, then clamp to [0, 1])");
    double clean = Accuracy(images), attacked = Accuracy(yours);
    if (!(attacked < clean / 2))
        return NotYet($"accuracy {clean:0.000} clean and {attacked:0.000} under your attack: not below half");
    Console.WriteLine($"clean accuracy {clean:0.000}, under your FGSM at 0.2: {attacked:0.000}");
    Console.WriteLine("exercise 10-fgsm: passed");
    return 0;
}
catch (NotImplementedException)
{
    return NotYet("Fgsm still throws NotImplementedException: fill in the region between the markers");
}

static int NotYet(string why)
{
    Console.WriteLine($"exercise 10-fgsm: not yet - {why}");
    return 1;
}

// The images [N, 784] moved by epsilon along the sign of the loss's gradient with respect to them, kept in [0, 1].
static Tensor Fgsm(Module model, Tensor images, Tensor labels, float epsilon)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
