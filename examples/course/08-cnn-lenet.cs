#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Page 08, convolutional networks and LeNet: docs/course/08-cnn-lenet.md. A convolution worked by hand and by
// Conv2d, pooling, LeNet-5's layer sizes and parameter counts traced through Dendrite's model, then LeNet-5
// trained briefly on the digits of data/mnist-sample, its first-layer filters and one digit's feature maps.
// Run from the repository root: dotnet run -c Release examples/course/08-cnn-lenet.cs [-- --write-figures]
using System.Globalization;
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
    : Directory.CreateTempSubdirectory("dendrite-course-08-").FullName;
Directory.CreateDirectory(figures);

// Helpers, defined first so that a notebook made from this program has them before the cells that use them.
// data/mnist-sample, looked for from the current directory upwards (a notebook of this program runs in
// docs/course/notebooks, the program itself from the repository root).
string MnistSample()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (Directory.Exists(Path.Combine(dir.FullName, "data", "mnist-sample"))) return Path.Combine(dir.FullName, "data", "mnist-sample");
    throw new DirectoryNotFoundException($"data/mnist-sample is not in {Environment.CurrentDirectory} or above it: run from the repository root");
}

string Rows(Tensor t)
{
    var lines = new List<string>();
    for (int i = 0; i < t.Shape[0]; i++)
        lines.Add("  " + string.Join(" ", Enumerable.Range(0, t.Shape[1]).Select(j => t[i, j].Item().ToString("0").PadLeft(3))));
    return string.Join('\n', lines);
}

// %% A convolution by hand
// A 3×3 filter slides over the image; at each position the output is the sum of the filter's weights times the
// pixels under it. Here a 6×6 image whose right half is bright, and a filter that answers to a dark-to-bright
// step from left to right.
var image = Tensor.FromArray(new float[,]
{
    { 0, 0, 0, 1, 1, 1 }, { 0, 0, 0, 1, 1, 1 }, { 0, 0, 0, 1, 1, 1 },
    { 0, 0, 0, 1, 1, 1 }, { 0, 0, 0, 1, 1, 1 }, { 0, 0, 0, 1, 1, 1 },
});
var edge = Tensor.FromArray(new float[,] { { -1, 0, 1 }, { -1, 0, 1 }, { -1, 0, 1 } });
var convolved = Functional.Conv2d(image.Reshape(1, 1, 6, 6), edge.Reshape(1, 1, 3, 3)).Reshape(4, 4);
Console.WriteLine("the edge filter over the 6x6 step image (Conv2d), 4x4 output:");
Console.WriteLine(Rows(convolved));
float byHand = 0;
for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
        byHand += image[i, 1 + j].Item() * edge[i, j].Item();
Console.WriteLine($"output row 0, column 1 by the sum of products: {byHand} (Conv2d: {convolved[0, 1].Item()})");
Console.WriteLine("output size = (input + 2 padding - kernel) / stride + 1 = (6 + 0 - 3) / 1 + 1 = 4");

// %% Pooling
// 2×2 max pooling keeps the largest value of each 2×2 block: half the height and width, and a feature that moves by
// a pixel often still lands in the same block.
var map = Tensor.FromArray(new float[,] { { 1, 3, 2, 0 }, { 5, 6, 1, 2 }, { 0, 2, 7, 1 }, { 3, 1, 4, 8 } });
var pooled = new MaxPool2d(2).Call(map.Reshape(1, 1, 4, 4)).Reshape(2, 2);
Console.WriteLine("a 4x4 map:");
Console.WriteLine(Rows(map));
Console.WriteLine("its 2x2 max pooling:");
Console.WriteLine(Rows(pooled));

// %% LeNet-5, layer by layer
// Dendrite's Models.LeNet5 pads the 28×28 digits by 2, which is LeNet-5's 32×32 input; its C3 connects every
// input map (the paper's C3 used a fixed partial table) and its output is a Linear layer (the paper's was RBF).
var lenet = Models.LeNet5(generator: new Generator(seed: 0));
var names = new Dictionary<int, string> { [0] = "C1", [2] = "S2", [3] = "C3", [5] = "S4", [7] = "C5", [9] = "F6", [11] = "F7" };
var paper = new Dictionary<string, (string Shape, int? Parameters)>
{
    ["C1"] = ("[6, 28, 28]", 156), ["S2"] = ("[6, 14, 14]", null), ["C3"] = ("[16, 10, 10]", 1516),
    ["S4"] = ("[16, 5, 5]", null), ["C5"] = ("[120]", 48120), ["F6"] = ("[84]", 10164), ["F7"] = ("[10]", null),
};
using (Dendrite.Autograd.GradMode.NoGrad())
{
    var h = Tensor.Zeros(1, 1, 28, 28);
    var layers = lenet.NamedChildren().ToList();
    for (int i = 0; i < layers.Count; i++)
    {
        h = layers[i].Module.Call(h);
        if (!names.TryGetValue(i, out var name)) continue;
        string shape = "[" + string.Join(", ", h.Shape.ToArray()[1..]) + "]";
        Console.WriteLine($"LeNet-5 {name} output {shape} (LeCun 1998: {paper[name].Shape})");
        long count = layers[i].Module.ParameterCount();
        if (count > 0)
            Console.WriteLine(paper[name].Parameters is int p
                ? $"LeNet-5 {name} parameters: {count} (LeCun 1998: {p})"
                : $"LeNet-5 {name} parameters: {count}");
    }
}
Console.WriteLine($"LeNet-5 parameters in all: {lenet.ParameterCount()} (LeCun 1998: 60000)");
// Sharing one 5×5 filter across the image is what keeps C1 small: a dense layer from the 32×32 input to the same
// 6×28×28 outputs would need a weight per (input pixel, output) pair.
Console.WriteLine($"C1 as a dense layer would need {32 * 32 * 6 * 28 * 28 + 6 * 28 * 28:N0} parameters instead of 156");

// %% LeNet-5 on the digits
// 8,000 training and 2,000 test digits. Two epochs of Adam keep this page's program quick; examples/mnist.cs and
// `dendrite train --model lenet5` train longer and reach about 97-98%. The model is cached in the temporary
// folder, so page 10's program can reuse it.
string data = MnistSample();
var train = Mnist.Load(data, train: true);
var test = Mnist.Load(data, train: false);
string cache = Path.Combine(Path.GetTempPath(), "dendrite-course", "lenet5-seed0-adam-2epochs.safetensors");
var generator = new Generator(seed: 0);
var model = Models.LeNet5(generator: generator);
var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 2e-3f), new Accuracy());
var started = DateTime.UtcNow;
trainer.Fit(new DataLoader(train, batchSize: 64, shuffle: true, generator: generator), epochs: 2);
var trainingTime = DateTime.UtcNow - started;
var results = trainer.Evaluate(new DataLoader(test, batchSize: 500));
Console.WriteLine($"trained LeNet-5 for 2 epochs in {trainingTime.TotalSeconds:0.0} s");
Console.WriteLine($"LeNet-5 test accuracy after 2 epochs: {results["accuracy"]:0.0000}");
Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
// The library build that trained it goes with it (its module id changes whenever the library's code does), so page
// 10 does not reuse a model from an older build.
ModelFile.Save(cache, model, ModelSpec.FromModel(model, [1, 28, 28]),
    new Dictionary<string, string> { ["course.library"] = typeof(Tensor).Assembly.ManifestModule.ModuleVersionId.ToString() });
Console.WriteLine($"model cached at {cache}");

// %% What the first layer learned, and what it sees
// The six 5×5 filters of C1 (blue negative, red positive), and for the first test digit the outputs of C1 and C3:
// C1's maps are mostly edge detectors at different angles; C3's combine them and are already coarse.
Filters.Grid(model, padding: 1, upscale: 16).Save(Path.Combine(figures, "08-filters.png"));
var digit = test.Inputs[0];
var captured = Activations.Capture(model, digit);
ImageGrid.Render(digit.Reshape(28, 28), ColorMap.Greys).Upscale(4).Save(Path.Combine(figures, "08-digit.png"));
FeatureMaps.Grid(captured[1].Output, columns: 6, upscale: 4).Save(Path.Combine(figures, "08-feature-maps-c1.png"));
FeatureMaps.Grid(captured[4].Output, columns: 8, upscale: 8).Save(Path.Combine(figures, "08-feature-maps-c3.png"));
Console.WriteLine($"feature maps of test digit 0 (label {test.Targets[0].Item()}): {captured[1].Name} {captured[1].Output.Shape}, {captured[4].Name} {captured[4].Output.Shape}");
Console.WriteLine($"figures: {Path.GetFullPath(figures)}");
