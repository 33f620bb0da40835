#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 04, softmax and output layers: multi-class against multi-label (docs/course/04-softmax-and-outputs.md).
// Run: dotnet run -c Release examples/course/04-softmax-and-outputs.cs [-- --write-figures]
using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;
string Show(float[] values, string format = "F4") => string.Join(", ", values.Select(v => v.ToString(format)));

// %% Softmax turns scores into probabilities: p_k = e^(f_k) / Σ_j e^(f_j)
// The fifth lecture's linear classifier scores an image as dog 3.6, cat 2.6, pig −3.0.
var scores = new[] { 3.6f, 2.6f, -3.0f };
float[] p;
using (GradMode.NoGrad()) p = Tensor.FromArray(scores, 3).Softmax(0).ToArray();
double denominator = scores.Sum(s => Math.Exp(s));
Console.WriteLine($"softmax(3.6, 2.6, −3.0), dog: {p[0]:F4} (lecture: e^3.6 / Σ e^f = {Math.Exp(3.6) / denominator:F4})");
Console.WriteLine($"softmax(3.6, 2.6, −3.0), cat: {p[1]:F4} (lecture: e^2.6 / Σ e^f = {Math.Exp(2.6) / denominator:F4})");
Console.WriteLine($"softmax(3.6, 2.6, −3.0), pig: {p[2]:F4} (lecture: e^−3.0 / Σ e^f = {Math.Exp(-3.0) / denominator:F4})");
Console.WriteLine($"sum of the three probabilities: {p.Sum():F4} (lecture: 1, a distribution over the classes)");

// %% Only differences between scores matter, so softmax can subtract the largest first and never overflow
float[] shifted, huge;
using (GradMode.NoGrad())
{
    shifted = Tensor.FromArray(scores.Select(s => s + 100f).ToArray(), 3).Softmax(0).ToArray();
    huge = Tensor.FromArray([1000f, 1001f, 1002f], 3).Softmax(0).ToArray();
}
Console.WriteLine($"softmax of the scores + 100: ({Show(shifted)}) (lecture: unchanged, ({Show(p)}))");
Console.WriteLine($"softmax(1000, 1001, 1002): ({Show(huge)}) (lecture: the same as softmax(0, 1, 2), no overflow)");
// The second lecture's prediction (0.01, 0.97, 0.02) is what softmax gives for the scores ln 0.01, ln 0.97, ln 0.02.
float[] back;
using (GradMode.NoGrad()) back = Tensor.FromArray([MathF.Log(0.01f), MathF.Log(0.97f), MathF.Log(0.02f)], 3).Softmax(0).ToArray();
Console.WriteLine($"softmax(ln 0.01, ln 0.97, ln 0.02): ({Show(back, "F2")}) (lecture: (0.01, 0.97, 0.02))");

// %% Multi-class against multi-label outputs for the same three scores
// Multi-class (one label per example: ImageNet's 1000 classes): softmax couples the outputs, which sum to 1.
// Multi-label (any number of labels: the Kaggle protein atlas's 28 locations): one sigmoid per output, each a
// separate yes/no, and nothing makes them sum to 1.
float[] independent;
using (GradMode.NoGrad()) independent = Tensor.FromArray(scores, 3).Sigmoid().ToArray();
Console.WriteLine($"sigmoid per output: ({Show(independent)}), sum {independent.Sum():F4} (lecture: independent, need not sum to 1)");

// %% Training both kinds of output layer on points of the plane
// Three clouds of points, one class each, for a softmax layer with cross-entropy; and two labels that can both be
// on (x₁ > 0, x₂ > 0) for two sigmoid outputs with binary cross-entropy.
var generator = new Generator(seed: 4);
var centres = new[] { (-2f, -1f), (2f, -1f), (0f, 2f) };
var points = Tensor.Cat([.. centres.Select(c => Tensor.Randn(generator, 60, 2) * 0.8f + Tensor.FromArray([c.Item1, c.Item2], 2))]);
var classes = Tensor.FromArray([.. Enumerable.Range(0, 180).Select(i => (float)(i / 60))], 180);

float Fit(Module model, Loss loss, Tensor inputs, Tensor targets, int steps = 500)
{
    var optimizer = new Sgd(model.Parameters(), lr: 0.5f);
    float last = float.NaN;
    for (int step = 0; step < steps; step++)
    {
        var l = loss.Call(model.Call(inputs), targets);
        optimizer.ZeroGrad();
        l.Backward();
        optimizer.Step();
        last = l.Item();
    }
    return last;
}
var softmaxLayer = new Linear(2, 3, generator: generator);
float ce = Fit(softmaxLayer, new CrossEntropyLoss(), points, classes);
float[] predictedClass;
using (GradMode.NoGrad()) predictedClass = softmaxLayer.Call(points).ArgMax(1).ToArray();
int rightClass = predictedClass.Zip(classes.ToArray()).Count(q => q.First == q.Second);
Console.WriteLine($"multi-class, 3 clouds, softmax + cross-entropy: accuracy {rightClass / 180.0:P1}, loss {ce:F4}");

var spread = Tensor.Randn(generator, 200, 2) * 1.5f;
var labels = Tensor.Stack([spread.Select(1, 0).Gt(0f), spread.Select(1, 1).Gt(0f)], 1);
var sigmoidLayer = new Linear(2, 2, generator: generator);
float bce = Fit(sigmoidLayer, new BceWithLogitsLoss(), spread, labels);
float[] predictedLabels;
using (GradMode.NoGrad()) predictedLabels = sigmoidLayer.Call(spread).Gt(0f).ToArray();
var truth = labels.ToArray();
int rightLabels = predictedLabels.Zip(truth).Count(q => q.First == q.Second);
int both = Enumerable.Range(0, 200).Count(i => predictedLabels[2 * i] == 1 && predictedLabels[2 * i + 1] == 1);
Console.WriteLine($"multi-label, 2 labels, sigmoid + binary cross-entropy: labels right {rightLabels / 400.0:P1}, loss {bce:F4}, points given both labels {both}");

// %% Figure: the softmax layer's three regions; its boundaries are straight, one layer draws lines
DecisionBoundary.Render(softmaxLayer, (-5f, 5f, -4f, 5f), 360, 324, points, classes, pointRadius: 3)
    .Save(Path.Combine(figures, "04-softmax-regions.png"));
Console.WriteLine($"figures: {figures}");
