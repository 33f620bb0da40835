#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Page 11, the playground: docs/course/11-playground.md. The experiments the page suggests trying in
// `dendrite playground`, run here in code with the same pieces the playground uses on its server (Synthetic2D's data
// sets, FeatureMap's input features, small tanh networks), each with its decision boundary and the playground link
// that sets it up.
// Run from the repository root: dotnet run -c Release examples/course/11-playground.cs [-- --write-figures]
using System.Globalization;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Metrics;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string figures = args.Contains("--write-figures")
    ? Path.Combine("docs", "course", "images")
    : Directory.CreateTempSubdirectory("dendrite-course-11-").FullName;
Directory.CreateDirectory(figures);
var boundaries = new List<RgbImage>();

// Helpers, defined first so that a notebook made from this program has them before the cells that use them.
// One experiment: 500 points of a data set (the playground's default), half for training and half for testing;
// the chosen input features; tanh hidden layers of the given widths; two logits under cross-entropy; SGD with
// batches of 10 (the playground's defaults) or another optimizer. Prints the test accuracy with the playground link
// that sets up the same experiment, and keeps the decision boundary for the figure.
double Experiment(string title, string dataset, FeatureSet features, int[] hidden, Func<Module, Optimizer> optimizer, int epochs, string link)
{
    var generator = new Generator(seed: 11);
    var data = dataset switch
    {
        "xor" => Synthetic2D.Xor(500, generator: generator),
        "circle" => Synthetic2D.Circle(500, generator: generator),
        "spiral" => Synthetic2D.Spiral(500, generator: generator),
        _ => throw new ArgumentException($"unknown data set {dataset}"),
    };
    // The data sets come in class order: shuffle before splitting.
    var order = Enumerable.Range(0, 500).ToArray();
    new Random(11).Shuffle(order);
    var inputs = Tensor.Stack(order.Select(i => data.Inputs[i]).ToList());
    var targets = Tensor.Stack(order.Select(i => data.Targets[i]).ToList());
    var train = new TensorDataset(inputs.Narrow(0, 0, 250), targets.Narrow(0, 0, 250));
    var test = new TensorDataset(inputs.Narrow(0, 250, 250), targets.Narrow(0, 250, 250));

    var model = new Sequential(new FeatureMap(features));
    int width = new FeatureMap(features).OutFeatures;
    foreach (var h in hidden)
    {
        model.Add(new Linear(width, h, generator: generator));
        model.Add(new Tanh());
        width = h;
    }
    model.Add(new Linear(width, 2, generator: generator));
    var trainer = new Trainer(model, new CrossEntropyLoss(), optimizer(model), new Accuracy());
    trainer.Fit(new DataLoader(train, batchSize: 10, shuffle: true, generator: generator), epochs);
    double accuracy = trainer.Evaluate(new DataLoader(test, batchSize: 250))["accuracy"];
    Console.WriteLine($"{title}: test accuracy {accuracy:0.000} (playground: http://localhost:7070/{link})");
    boundaries.Add(DecisionBoundary.Render(model, (-6f, 6f, -6f, 6f), width: 192, height: 192, points: test.Inputs, labels: test.Targets, pointRadius: 2));
    return accuracy;
}

// %% XOR: one line is not enough
// Without a hidden layer the network draws one straight boundary, and no straight line separates XOR's quadrants.
Experiment("xor, features x1 x2, no hidden layer", "xor", FeatureSet.X1 | FeatureSet.X2, [],
    m => new Sgd(m.Parameters(), lr: 0.03f), 100, "#dataset=xor&features=x1,x2&layers=");

// %% XOR with a hidden layer
// Four tanh units give four lines to combine: the hidden layer learns features in which the classes separate.
Experiment("xor, features x1 x2, one hidden layer of 4", "xor", FeatureSet.X1 | FeatureSet.X2, [4],
    m => new Sgd(m.Parameters(), lr: 0.03f), 100, "#dataset=xor&features=x1,x2&layers=4:tanh:0");

// %% XOR with the product feature
// Lecture 000's feature map Φ(x₁, x₂) = (x₁, x₂, x₁x₂): with the product as an input, a single layer suffices.
Experiment("xor, features x1 x2 x1x2, no hidden layer", "xor", FeatureSet.X1 | FeatureSet.X2 | FeatureSet.X1X2, [],
    m => new Sgd(m.Parameters(), lr: 0.03f), 100, "#dataset=xor&features=x1,x2,x1x2&layers=");

// %% The circle
// A disc inside a ring: hopeless for a line in (x₁, x₂), easy for a line in (x₁², x₂²), where the disc becomes a
// corner of the plane.
Experiment("circle, features x1 x2, no hidden layer", "circle", FeatureSet.X1 | FeatureSet.X2, [],
    m => new Sgd(m.Parameters(), lr: 0.03f), 100, "#dataset=circle&features=x1,x2&layers=");
Experiment("circle, features x1sq x2sq, no hidden layer", "circle", FeatureSet.X1Squared | FeatureSet.X2Squared, [],
    m => new Sgd(m.Parameters(), lr: 0.03f), 100, "#dataset=circle&features=x1sq,x2sq&layers=");

// %% The spiral
// Two interleaved arms: it takes depth, width and patience (here Adam at 0.01 for 300 epochs on two layers of 16).
Experiment("spiral, features x1 x2, two hidden layers of 16", "spiral", FeatureSet.X1 | FeatureSet.X2, [16, 16],
    m => new Adam(m.Parameters(), lr: 0.01f), 300, "#dataset=spiral&features=x1,x2&layers=16:tanh:0,16:tanh:0&opt=adam&lr=0.01");

ImageGrid.Tile(boundaries, columns: 3, padding: 6).Save(Path.Combine(figures, "11-experiments.png"));
Console.WriteLine($"figures: {Path.GetFullPath(figures)}");
