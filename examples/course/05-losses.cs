#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 05, loss functions and regularisation (docs/course/05-losses.md).
// Run: dotnet run -c Release examples/course/05-losses.cs [-- --write-figures]
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Tensors;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;
Tensor Vector(params float[] values) => Tensor.FromArray(values, values.Length);

// %% The second lecture's prediction (0.01, 0.97, 0.02) for an example whose true class is the first
var predicted = Vector(0.01f, 0.97f, 0.02f);
var oneHot = Vector(1f, 0f, 0f);
var squared = new MseLoss(Reduction.None).Call(predicted, oneHot).ToArray();
Console.WriteLine($"squared error of the first output, (0.01 − 1.0)²: {squared[0]:F4} (lecture: 0.98)");
Console.WriteLine($"MSE over all three outputs: {new MseLoss().Call(predicted, oneHot).Item():F4}");

// Cross-entropy takes scores (logits); ln p are scores whose softmax is p itself, so this is −ln 0.01.
var nats = new CrossEntropyLoss().Call(predicted.Log().Reshape(1, 3), Vector(0f)).Item();
Console.WriteLine($"cross-entropy, natural log: {nats:F4} nats (lecture: −ln 0.01 = 4.61)");
Console.WriteLine($"cross-entropy in bits, nats / ln 2: {nats / MathF.Log(2f):F2} (lecture: 6.64)");

// %% Cross-entropy on the fifth lecture's scores (dog 3.6, cat 2.6, pig −3.0): L = −ln softmax(s)_k
var scores = Vector(3.6f, 2.6f, -3.0f).Reshape(1, 3);
foreach (var (name, k) in new[] { ("dog", 0), ("cat", 1), ("pig", 2) })
{
    float loss = new CrossEntropyLoss().Call(scores, Vector(k)).Item();
    double byFormula = -Math.Log(Math.Exp(new[] { 3.6, 2.6, -3.0 }[k]) / (Math.Exp(3.6) + Math.Exp(2.6) + Math.Exp(-3.0)));
    Console.WriteLine($"cross-entropy if the image is a {name}: {loss:F4} (lecture: −ln(e^s_k / Σ e^s_j) = {byFormula:F4})");
}

// %% The lecture's forward pass: four examples, weights w = (1, −1, 1), a sigmoid neuron, MSE and then BCE
// (Its Python writes the sigmoid as 1/1+math.e**(-v), which is 1 + e^−v; the loop below uses 1/(1 + e^−v).)
float[,] data = { { 1.0f, 0.1f, -0.2f }, { 1.0f, -0.1f, 0.9f }, { 1.0f, 1.2f, 0.1f }, { 1.0f, 1.1f, 1.5f } };
float[] labels = [0, 0, 0, 1];
float[] weights = [1, -1, 1];
var y = Tensor.FromArray(data).MatMul(Vector(weights)).Sigmoid();
var t = Vector(labels);
// The lecture's loop, in double precision, as the reference.
double mseLoop = 0, bceLoop = 0;
for (int n = 0; n < 4; n++)
{
    double v = 0;
    for (int d = 0; d < 3; d++) v += data[n, d] * weights[d];
    double yn = 1 / (1 + Math.Exp(-v));
    mseLoop += (yn - labels[n]) * (yn - labels[n]) / 4;
    bceLoop += (-labels[n] * Math.Log(yn) - (1 - labels[n]) * Math.Log(1 - yn)) / 4;
}
Console.WriteLine($"outputs y = σ(x·w): ({string.Join(", ", y.ToArray().Select(v => v.ToString("F4")))})");
Console.WriteLine($"MSE of the forward pass: {new MseLoss().Call(y, t).Item():F4} (lecture: its loop gives {mseLoop:F4})");
Console.WriteLine($"BCE of the forward pass: {new BceLoss().Call(y, t).Item():F4} (lecture: its loop gives {bceLoop:F4})");

// %% Logistic regression's loss ln(1 + e^(−y·wᵀx)) with y ∈ {−1, +1} is the binary cross-entropy of the score
var score = Vector(0.7f);
Console.WriteLine($"BCE with logits, score 0.7, label 1: {new BceWithLogitsLoss().Call(score, Vector(1f)).Item():F4} (lecture: ln(1 + e^−0.7) = {Math.Log(1 + Math.Exp(-0.7)):F4})");
Console.WriteLine($"BCE with logits, score 0.7, label 0: {new BceWithLogitsLoss().Call(score, Vector(0f)).Item():F4} (lecture: ln(1 + e^0.7) = {Math.Log(1 + Math.Exp(0.7)):F4})");

// %% Hinge loss max(0, 1 − t·y) for labels t = ±1: a margin, not just the right side
var hinge = new HingeLoss(Reduction.None).Call(Vector(2f, 0.5f, -0.5f, 0.5f), Vector(1f, 1f, 1f, -1f)).ToArray();
Console.WriteLine($"hinge, t = +1, y = 2: {hinge[0]:F1} (lecture: max(0, 1 − 2) = 0, beyond the margin)");
Console.WriteLine($"hinge, t = +1, y = 0.5: {hinge[1]:F1} (lecture: max(0, 1 − 0.5) = 0.5, right side but inside the margin)");
Console.WriteLine($"hinge, t = +1, y = −0.5: {hinge[2]:F1} (lecture: max(0, 1 + 0.5) = 1.5, wrong side)");
Console.WriteLine($"hinge, t = −1, y = 0.5: {hinge[3]:F1} (lecture: max(0, 1 + 0.5) = 1.5, wrong side)");

// %% Regularisation: L = (1/N) Σ L_i + λ R(W), with R = ‖w‖² (L2) or Σ|w| (L1)
var w = Vector(weights).RequiresGrad_();
Console.WriteLine($"L2 penalty ‖w‖² of w = (1, −1, 1): {Regularization.L2([w]).Item():F1} (lecture: 1 + 1 + 1 = 3)");
Console.WriteLine($"L1 penalty Σ|w|: {Regularization.L1([w]).Item():F1} (lecture: 3)");
var penalty = 0.1f / 2 * Regularization.L2([w]);  // λ/2 ‖w‖² with λ = 0.1
penalty.Backward();
var slope = w.Grad!.ToArray();
Console.WriteLine($"gradient of (λ/2)‖w‖², λ = 0.1, by autograd: ({string.Join(", ", slope.Select(v => v.ToString("F1")))}) (lecture: λw = (0.1, -0.1, 0.1))");

// %% Figure: each loss against the score z of a positive example (t = 1; the hinge's label is +1)
var z = Tensor.Linspace(-3f, 3f, 121);
var xs = z.ToArray().Select(v => (double)v).ToArray();
var ones = Tensor.OnesLike(z);
double[] D(Tensor values) => [.. values.ToArray().Select(v => (double)v)];
LineChart.Save(Path.Combine(figures, "05-losses.svg"), "Losses for a positive example, against its score z", "score z", "loss",
[
    new ChartSeries("0-1 loss (wrong or not)", xs, D(z.Le(0f))),
    new ChartSeries("squared error (σ(z) − 1)²", xs, D(new MseLoss(Reduction.None).Call(z.Sigmoid(), ones))),
    new ChartSeries("cross-entropy −ln σ(z)", xs, D(new BceWithLogitsLoss(reduction: Reduction.None).Call(z, ones))),
    new ChartSeries("hinge max(0, 1 − z)", xs, D(new HingeLoss(Reduction.None).Call(z, ones))),
], yRange: (0, 4));
Console.WriteLine($"figures: {figures}");
