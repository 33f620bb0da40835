#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 06, gradient descent: the learning rate, and full batch against mini-batch against one sample
// (docs/course/06-gradient-descent.md). Run: dotnet run -c Release examples/course/06-gradient-descent.cs [-- --write-figures]
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;

// %% One step of gradient descent, w ← w − α ∂L/∂w, on the second lecture's four examples
// A sigmoid neuron with weights w = (1, −1, 1) (the first input is the constant 1, so w₀ is the bias) and the MSE.
var x = Tensor.FromArray(new float[,] { { 1.0f, 0.1f, -0.2f }, { 1.0f, -0.1f, 0.9f }, { 1.0f, 1.2f, 0.1f }, { 1.0f, 1.1f, 1.5f } });
var t = Tensor.FromArray([0f, 0f, 0f, 1f], 4);
var neuron = new Linear(3, 1, bias: false);
using (GradMode.NoGrad()) neuron.Weight.CopyFrom_(Tensor.FromArray([1f, -1f, 1f], 1, 3));
var mse = new MseLoss();
var before = mse.Call(neuron.Call(x).Sigmoid().Reshape(4), t);
before.Backward();
var gradient = neuron.Weight.Grad!.Clone();
var expected = neuron.Weight.Detach() - 0.5f * gradient;     // the lecture's rule, written out with α = 0.5
new Sgd(neuron.Parameters(), lr: 0.5f).Step();               // the same step taken by the optimizer
string Show(Tensor v) => string.Join(", ", v.ToArray().Select(e => e.ToString("F4")));
Console.WriteLine($"∂L/∂w by autograd: ({Show(gradient)})");
Console.WriteLine($"w after one Sgd step, α = 0.5: ({Show(neuron.Weight)}) (lecture: w − α ∂L/∂w = ({Show(expected)}))");
float after;
using (GradMode.NoGrad()) after = mse.Call(neuron.Call(x).Sigmoid().Reshape(4), t).Item();
Console.WriteLine($"loss before and after the step: {before.Item():F4} → {after:F4} (lecture: a step against the gradient lowers the loss)");

// %% The learning rate: too small, about right, too large
// Linear regression y = 2x + 1 + noise on 200 points by full-batch gradient descent. Its loss is a bowl whose
// steepest curvature is about 2 (the MSE's second derivative for standardised x), so any α above about 1
// overshoots the bottom by more than it started from, and the error grows at every step.
var generator = new Generator(seed: 6);
var inputs = Tensor.Randn(generator, 200, 1);
var targets = 2f * inputs + 1f + 0.3f * Tensor.Randn(generator, 200, 1);
List<double> Descend(float lr, int steps)
{
    var model = new Linear(1, 1);
    using (GradMode.NoGrad()) { model.Weight.Fill_(0f); model.Bias!.Fill_(0f); }
    var optimizer = new Sgd(model.Parameters(), lr);
    var losses = new List<double>();
    for (int step = 0; step < steps; step++)
    {
        var l = mse.Call(model.Call(inputs), targets);
        losses.Add(l.Item());
        optimizer.ZeroGrad();
        l.Backward();
        optimizer.Step();
    }
    return losses;
}
var rates = new[] { (0.01f, "too small"), (0.3f, "about right"), (1.05f, "too large") };
var curves = new List<ChartSeries>();
foreach (var (lr, verdict) in rates)
{
    var losses = Descend(lr, steps: 30);
    Console.WriteLine($"learning rate {lr}: loss {losses[0]:F3} at step 1, {losses[^1]:F3} at step 30 ({verdict})");
    curves.Add(ChartSeries.PerStep($"α = {lr} ({verdict})", [.. losses.Select(Math.Log10)]));
}
var noise = Descend(0.3f, steps: 200)[^1];
// What is left is the noise in the targets (standard deviation 0.3), which no line can explain.
Console.WriteLine($"the loss after 200 steps with α = 0.3: {noise:F4}");
LineChart.Save(Path.Combine(figures, "06-learning-rates.svg"), "Full-batch gradient descent with three learning rates", "step", "log₁₀ loss", curves, markers: true);

// %% Full batch, mini-batch and one sample at a time
// Logistic regression on 1000 points of two overlapping clouds, the same α and two epochs each: full batch takes
// one step per epoch, mini-batches of 32 take 32 steps, single samples take 1000. The curve is the loss on all
// 1000 points after every step, against the number of epochs (passes over the data) so far.
var cloud = Tensor.Randn(generator, 1000, 2);
var side = Tensor.FromArray([.. Enumerable.Range(0, 1000).Select(i => (float)(i % 2))], 1000, 1);
var points = cloud + (2f * side - 1f) * Tensor.FromArray([1f, 1f], 2);
var data = new TensorDataset(points, side);
var bce = new BceWithLogitsLoss();
(List<double> Epochs, List<double> Loss, int Steps) Run(int batchSize, float lr, int epochs)
{
    var model = new Linear(2, 1);
    using (GradMode.NoGrad()) { model.Weight.Fill_(0f); model.Bias!.Fill_(0f); }
    var optimizer = new Sgd(model.Parameters(), lr);
    var loader = new DataLoader(data, batchSize, shuffle: true, generator: new Generator(seed: 8));
    var (xs, ys) = (new List<double>(), new List<double>());
    float Full() { using (GradMode.NoGrad()) return bce.Call(model.Call(points), side).Item(); }
    xs.Add(0);
    ys.Add(Full());
    int steps = 0, seen = 0;
    for (int epoch = 0; epoch < epochs; epoch++)
        foreach (var batch in loader)
        {
            var l = bce.Call(model.Call(batch.Inputs), batch.Targets);
            optimizer.ZeroGrad();
            l.Backward();
            optimizer.Step();
            steps++;
            seen += batch.Inputs.Shape[0];
            xs.Add(seen / 1000.0);
            ys.Add(Full());
        }
    return (xs, ys, steps);
}
var series = new List<ChartSeries>();
foreach (var (batchSize, name) in new[] { (1000, "full batch (1000)"), (32, "mini-batch (32)"), (1, "one sample (SGD)") })
{
    var (epochs, loss, steps) = Run(batchSize, lr: 0.1f, epochs: 2);
    // The noise of a step: how often a step made the loss on all the data worse. A full-batch step follows the
    // true gradient and (with a small enough α) never does; a step on a sample only estimates it.
    double worse = loss.Zip(loss.Skip(1)).Count(p => p.Second > p.First) / (double)steps;
    Console.WriteLine($"{name}: {steps} steps in 2 epochs, loss {loss[0]:F4} → {loss[^1]:F4}, steps that raised the loss {worse:P0}");
    series.Add(new ChartSeries(name, epochs, loss));
}
LineChart.Save(Path.Combine(figures, "06-batch-sizes.svg"), "Loss on all 1000 points, α = 0.1, two epochs", "epochs", "loss", series);
Console.WriteLine($"figures: {figures}");
