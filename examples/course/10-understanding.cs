#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Page 10, understanding a trained network: docs/course/10-understanding.md. Lecture 000's six ways to look inside
// a network, each with Dendrite.Insight, on the LeNet-5 of page 08 (two epochs of Adam; reused from page 08's cache
// in the temporary folder, or trained here the same way), plus the autograd graph.
// Run from the repository root: dotnet run -c Release examples/course/10-understanding.cs [-- --write-figures]
using System.Globalization;
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Metrics;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string figures = args.Contains("--write-figures")
    ? Path.Combine("docs", "course", "images")
    : Directory.CreateTempSubdirectory("dendrite-course-10-").FullName;
Directory.CreateDirectory(figures);
string Figure(string name) => Path.Combine(figures, name);

// Helpers, defined first so that a notebook made from this program has them before the cells that use them.
// data/mnist-sample, looked for from the current directory upwards (a notebook of this program runs in
// docs/course/notebooks, the program itself from the repository root).
string MnistSample()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (Directory.Exists(Path.Combine(dir.FullName, "data", "mnist-sample"))) return Path.Combine(dir.FullName, "data", "mnist-sample");
    throw new DirectoryNotFoundException($"data/mnist-sample is not in {Environment.CurrentDirectory} or above it: run from the repository root");
}

// %% The model
string data = MnistSample();
var test = Mnist.Load(data, train: false);
string cache = Path.Combine(Path.GetTempPath(), "dendrite-course", "lenet5-seed0-adam-2epochs.safetensors");
string library = typeof(Tensor).Assembly.ManifestModule.ModuleVersionId.ToString();
Sequential model;
if (File.Exists(cache) && ModelFile.Load(cache) is var cached && cached.Facts.GetValueOrDefault("course.library") == library)
{
    model = cached.Model;
    Console.WriteLine($"LeNet-5 from page 08's cache: {cache}");
}
else
{
    // The same recipe as page 08's program, so either way the model is the same.
    var generator = new Generator(seed: 0);
    model = Models.LeNet5(generator: generator);
    var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 2e-3f), new Accuracy());
    trainer.Fit(new DataLoader(Mnist.Load(data, train: true), batchSize: 64, shuffle: true, generator: generator), epochs: 2);
    Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
    ModelFile.Save(cache, model, ModelSpec.FromModel(model, [1, 28, 28]), new Dictionary<string, string> { ["course.library"] = library });
    Console.WriteLine($"LeNet-5 trained for 2 epochs and cached at {cache}");
}
model.Eval();
// 500 test digits for the figures that need a population.
var inputs = test.Inputs.Narrow(0, 0, 500);
var labels = test.Targets.Narrow(0, 0, 500);
var predicted = Adversarial.Predictions(model, inputs);
int correct = predicted.Where((p, i) => p == (int)labels[i].Item()).Count();
Console.WriteLine($"accuracy on the first 500 test digits: {correct / 500.0:0.000}");

// %% 1. Parameters: filters as images
// C3's 16 filters, one column each, over its 6 input maps (rows): which C1 maps each C3 filter combines.
Filters.Grid(model, "3", upscale: 6).Save(Figure("10-filters-c3.png"));

// %% 2. Internal activations as images
// Every layer's output for one digit; the ten output logits as a strip.
var digit = test.Inputs[1];
var layers = Activations.Capture(model, digit);
Console.WriteLine($"activations of test digit 1 (label {test.Targets[1].Item()}): " +
    string.Join(", ", layers.Select(l => $"{l.Name} {l.Module.GetType().Name} [{string.Join(", ", l.Output.Shape.ToArray())}]")));
FeatureMaps.Grid(layers[2].Output, columns: 6, upscale: 8).Save(Figure("10-activations-s2.png"));
FeatureMaps.Grid(layers[^1].Output, upscale: 32).Save(Figure("10-activations-logits.png"));
var logits = layers[^1].Output.ToArray();
Console.WriteLine($"its logits: {string.Join(" ", logits.Select(v => v.ToString("0.0")))}; largest at class {Array.IndexOf(logits, logits.Max())}");

// %% 3. Distributions of activations over a population
// Per ReLU layer, the fraction of units that never fire on the 500 digits ("dead": they pass no gradient).
var batches = Enumerable.Range(0, 5).Select(b => inputs.Narrow(0, 100 * b, 100)).ToList();
foreach (var s in ActivationStats.Compute(model, batches))
    if (s.DeadFraction is double dead)
        Console.WriteLine($"activation stats {s.Name}: mean {s.Mean:0.000}, std {s.Std:0.000}, max {s.Max:0.00}, dead units {dead:P1} of {s.Units}");

// %% 4. Derivatives of the response with respect to the input: saliency
// |∂(class score)/∂(pixel)| for the predicted class, painted over the dimmed digit. Where is it large: on the
// stroke, or on the background? Compare the share of the total saliency that falls on the stroke (pixels > 0.2)
// with the stroke's share of the image.
var saliencyImages = new List<RgbImage>();
double onStroke = 0, strokeArea = 0;
for (int i = 0; i < 8; i++)
{
    var x = test.Inputs[i];
    int target = predicted[i];
    var saliency = Attribution.Saliency(model, x, target);
    var s = saliency.ToArray();
    var pixels = x.ToArray();
    double inside = 0, total = 0;
    for (int p = 0; p < s.Length; p++)
    {
        total += s[p];
        if (pixels[p] > 0.2f)
        {
            inside += s[p];
            strokeArea += 1.0 / s.Length / 8;
        }
    }
    onStroke += inside / total / 8;
    saliencyImages.Add(Overlay.Heatmap(x, saliency).Upscale(4));
}
ImageGrid.Tile(saliencyImages, columns: 8, padding: 4).Save(Figure("10-saliency.png"));
Console.WriteLine($"saliency on the stroke: {onStroke:0.000} of the total, on a stroke that covers {strokeArea:0.000} of the image (8 digits)");

// %% 5. Maximum-response synthetic inputs
// For each class, the input that gradient ascent finds to maximise its logit (with decay, jitter and blur so it
// stays image-like), and the probability the model gives that class for it.
var synthetic = new List<Tensor>();
double weakest = 1;
for (int c = 0; c < 10; c++)
{
    var x = ActivationMaximization.ForClass(model, [1, 28, 28], c, new ActivationMaximizationOptions { Steps = 120, Seed = c });
    synthetic.Add(x);
    using (GradMode.NoGrad())
    {
        double p = model.Call(x.Unsqueeze(0)).Softmax(1)[0, c].Item();
        weakest = Math.Min(weakest, p);
    }
}
ImageGrid.Tile(Tensor.Stack(synthetic).Reshape(10, 28, 28), ColorMap.Greys, columns: 10, padding: 2, upscale: 4).Save(Figure("10-max-response.png"));
Console.WriteLine($"maximum-response inputs: every class's own probability is at least {weakest:0.0000}");

// %% 6. Adversarial inputs
// FGSM moves every pixel by ±ε in the direction that raises the loss. Accuracy on the 500 digits against ε, and
// one digit before and after at ε = 0.15.
foreach (var (epsilon, accuracy) in Adversarial.RobustnessCurve(model, inputs, labels, [0f, 0.05f, 0.1f, 0.15f, 0.2f], AdversarialAttack.Fgsm()))
    Console.WriteLine($"FGSM accuracy at epsilon {epsilon:0.00}: {accuracy:0.000}");
var original = test.Inputs.Narrow(0, 0, 8);
var originalLabels = test.Targets.Narrow(0, 0, 8);
var adversarial = Adversarial.Fgsm(model, original, originalLabels, 0.15f);
var before = Adversarial.Predictions(model, original);
var after = Adversarial.Predictions(model, adversarial);
Console.WriteLine($"FGSM at 0.15 on test digits 0-7: labels {string.Join(" ", originalLabels.ToArray().Select(v => (int)v))}, " +
    $"predicted before {string.Join(" ", before)}, after {string.Join(" ", after)}");
var pairs = new List<Tensor>();
for (int i = 0; i < 8; i++) pairs.Add(original[i].Reshape(28, 28));
for (int i = 0; i < 8; i++) pairs.Add(adversarial[i].Reshape(28, 28));
ImageGrid.Tile(Tensor.Stack(pairs), ColorMap.Greys, TileScale.Shared, columns: 8, padding: 2, upscale: 4, range: (0f, 1f)).Save(Figure("10-adversarial.png"));

// %% 7. The computational graph
// One forward pass of LeNet-5 on one digit, as autograd records it (page 07's picture for a whole network).
var graphInput = test.Inputs.Narrow(0, 0, 1);
graphInput.Name = "input";
var output = model.Call(graphInput);
File.WriteAllText(Figure("10-graph.svg"), GraphView.ToSvg(output, new GraphViewOptions { Model = model }));
Console.WriteLine($"figures: {Path.GetFullPath(figures)}");
