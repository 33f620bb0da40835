#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Page 07, backpropagation: docs/course/07-backpropagation.md. Every gradient below comes from Dendrite's
// autograd (Backward on a recorded graph); the lecture's value beside it comes from the lecture's own formula.
// Run from the repository root: dotnet run -c Release examples/course/07-backpropagation.cs [-- --write-figures]
using System.Globalization;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.Tensors;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
// Figures go to docs/course/images with --write-figures, otherwise to a temporary folder.
string figures = args.Contains("--write-figures")
    ? Path.Combine("docs", "course", "images")
    : Directory.CreateTempSubdirectory("dendrite-course-07-").FullName;
Directory.CreateDirectory(figures);

void Show(string label, double dendrite, double lecture, string format = "0.######") =>
    Console.WriteLine($"{label}: {dendrite.ToString(format)} (lecture: {lecture.ToString(format)})");

// Helpers, defined first so that a notebook made from this program has them before the cells that use them.
double MaxAbsDifference(Tensor a, Tensor b)
{
    var x = a.ToArray();
    var y = b.ToArray();
    double worst = 0;
    for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
    return worst;
}

// %% The computational graph f = (x + y)·z (lecture 004)
// q = x + y has local gradients ∂q/∂x = ∂q/∂y = 1; f = q·z has ∂f/∂q = z and ∂f/∂z = q. Backward multiplies
// each local gradient by the gradient flowing in from above.
var x = Tensor.Scalar(-2).RequiresGrad_();
var y = Tensor.Scalar(5).RequiresGrad_();
var z = Tensor.Scalar(-4).RequiresGrad_();
x.Name = "x";
y.Name = "y";
z.Name = "z";
var q = x + y;
q.Name = "q";
q.RetainGrad();            // q is not a leaf: ask autograd to keep ∂f/∂q for us to print
var f = q * z;
f.Name = "f";
f.RetainGrad();
f.Backward();
Show("f = (x + y)z, q", q.Item(), -2 + 5);
Show("f = (x + y)z, f", f.Item(), (-2 + 5) * -4);
Show("f = (x + y)z, df/dq", q.Grad!.Item(), -4);
Show("f = (x + y)z, df/dx", x.Grad!.Item(), -4);
Show("f = (x + y)z, df/dy", y.Grad!.Item(), -4);
Show("f = (x + y)z, df/dz", z.Grad!.Item(), 3);
File.WriteAllText(Path.Combine(figures, "07-graph-fxyz.svg"), GraphView.ToSvg(f));

// %% The sigmoid circuit (lectures 000 and 004)
// The neuron of lecture 000, θ0 = 1, θ = (3, −2), at x = (−1, 2): a = 1 + 3·(−1) − 2·2 = −6 and ŷ = σ(−6).
// The sigmoid is built here from the four gates of lecture 004's table — negate (ax with a = −1), exp,
// add a constant, 1/x — so backward walks through each gate's local gradient one at a time.
var theta0 = Tensor.Scalar(1).RequiresGrad_();
var theta = Tensor.FromArray([3f, -2f], 2).RequiresGrad_();
var input = Tensor.FromArray([-1f, 2f], 2).RequiresGrad_();
theta0.Name = "θ0";
theta.Name = "θ";
input.Name = "x";
var a = theta0 + (theta * input).Sum();
var negated = -a;
var exponential = negated.Exp();
var denominator = exponential + 1f;
var yHat = 1f / denominator;
foreach (var (t, name) in new[] { (a, "a"), (negated, "-a"), (exponential, "exp(-a)"), (denominator, "1 + exp(-a)"), (yHat, "ŷ") })
{
    t.Name = name;
    t.RetainGrad();
}
yHat.Backward();
double av = a.Item(), e = Math.Exp(-av), s = 1 / (1 + e);
Show("sigmoid circuit, a", av, 1 + 3 * -1 - 2 * 2);
Show("sigmoid circuit, exp(-a)", exponential.Item(), Math.Exp(6), "0.##");
Show("sigmoid circuit, y = sigma(-6)", yHat.Item(), 1 / (1 + Math.Exp(6)), "0.#####");
// Going backwards gate by gate: 1/x has local gradient −1/x², +1 passes it on, exp multiplies by exp(−a), and
// negation flips the sign. Their product is σ(a)(1 − σ(a)), the closed form of lecture 004.
Show("sigmoid circuit, dy/d(1 + exp(-a))", denominator.Grad!.Item(), -1 / ((1 + e) * (1 + e)), "0.###e+0");
Show("sigmoid circuit, dy/d(exp(-a))", exponential.Grad!.Item(), -1 / ((1 + e) * (1 + e)), "0.###e+0");
Show("sigmoid circuit, dy/d(-a)", negated.Grad!.Item(), -e / ((1 + e) * (1 + e)), "0.######");
Show("sigmoid circuit, dy/da", a.Grad!.Item(), s * (1 - s), "0.######");
var gTheta = theta.Grad!.ToArray();
var gInput = input.Grad!.ToArray();
Show("sigmoid circuit, dy/dtheta0", theta0.Grad!.Item(), s * (1 - s), "0.######");
Show("sigmoid circuit, dy/dtheta1", gTheta[0], s * (1 - s) * -1, "0.######");
Show("sigmoid circuit, dy/dtheta2", gTheta[1], s * (1 - s) * 2, "0.######");
Show("sigmoid circuit, dy/dx1", gInput[0], s * (1 - s) * 3, "0.######");
Show("sigmoid circuit, dy/dx2", gInput[1], s * (1 - s) * -2, "0.######");
File.WriteAllText(Path.Combine(figures, "07-sigmoid-circuit.svg"), GraphView.ToSvg(yHat));

// %% The delta rule (lecture 001)
// One sigmoid neuron, squared error E = (y − t)² on one sample, the lecture's data and initial weights
// w = (1, −1, 1) (the first input of each sample is the constant 1 that carries the bias).
// The lecture's chain rule gives dE/dw_p = 2·x_p·(y − t)·(1 − y)·y.
float[,] samples = { { 1.0f, 0.1f, -0.2f }, { 1.0f, -0.1f, 0.9f }, { 1.0f, 1.2f, 0.1f }, { 1.0f, 1.1f, 1.5f } };
float[] targets = [0, 0, 0, 1];
for (int n = 0; n < 4; n++)
{
    var w = Tensor.FromArray([1f, -1f, 1f], 3).RequiresGrad_();
    var xn = Tensor.FromArray([samples[n, 0], samples[n, 1], samples[n, 2]], 3);
    var yn = (w * xn).Sum().Sigmoid();
    var error = (yn - targets[n]).Square();
    error.Backward();
    double v = samples[n, 0] * 1 - samples[n, 1] + samples[n, 2], yv = 1 / (1 + Math.Exp(-v));
    var g = w.Grad!.ToArray();
    for (int p = 0; p < 3; p++)
        Show($"delta rule, sample {n + 1} dE/dw{p}", g[p], 2 * samples[n, p] * (yv - targets[n]) * (1 - yv) * yv);
}

// %% Sigmoid and binary cross-entropy (lectures 002 and 004)
// With a sigmoid output and binary cross-entropy, σ'(z) cancels the 1/ŷ terms of the loss's derivative and
// the gradient is simply (ŷ − y)·x. Same neuron and data, all four samples, the loss averaged.
{
    var w = Tensor.FromArray([1f, -1f, 1f], 3).RequiresGrad_();
    var xs = Tensor.FromArray(samples);
    var ts = Tensor.FromArray(targets, 4);
    var predictions = xs.MatMul(w).Sigmoid();
    Functional.BinaryCrossEntropy(predictions, ts).Backward();
    var g = w.Grad!.ToArray();
    var p = predictions.ToArray();
    for (int j = 0; j < 3; j++)
    {
        double expected = 0;
        for (int n = 0; n < 4; n++) expected += (p[n] - targets[n]) * samples[n, j] / 4;
        Show($"sigmoid + BCE, dL/dw{j}", g[j], expected);
    }
}

// %% Gradients with respect to the input, and one layer further down (lecture 002)
// The same neuron on sample 1 alone: ∂l/∂x = (ŷ − y)·w. Then lecture 002's two-layer network (two inputs, two
// sigmoid hidden units a11 and a12, one sigmoid output): the first layer's weight w11 gets
// ∂l/∂w11(1) = (ŷ − y)·w11(2)·a11(1 − a11)·x1 — the output's error, carried back through the weight that joins a11 to
// the output and through a11's sigmoid.
{
    var w = Tensor.FromArray([1f, -1f, 1f], 3);
    var x1 = Tensor.FromArray([samples[0, 0], samples[0, 1], samples[0, 2]], 3).RequiresGrad_();
    var prediction = (w * x1).Sum().Sigmoid();
    Functional.BinaryCrossEntropy(prediction, Tensor.Scalar(targets[0])).Backward();
    var gx = x1.Grad!.ToArray();
    double yv = prediction.Item();
    for (int p = 1; p < 3; p++)
        Show($"sigmoid + BCE, sample 1 dl/dx{p}", gx[p], (yv - targets[0]) * (p == 1 ? -1 : 1));

    var generator = new Generator(seed: 2);
    var w1 = Tensor.Randn(generator, 2, 2).RequiresGrad_();   // w1[j, i]: input i to hidden unit j
    var w2 = Tensor.Randn(generator, 1, 2).RequiresGrad_();   // w2[0, j]: hidden unit j to the output
    var point = Tensor.FromArray(new float[,] { { 0.5f }, { -1.5f } });
    var hidden = w1.MatMul(point).Sigmoid();
    var output = w2.MatMul(hidden).Sigmoid();
    Functional.BinaryCrossEntropy(output, Tensor.FromArray(new float[,] { { 1f } })).Backward();
    double a11 = hidden[0, 0].Item(), yHat2 = output.Item();
    Show("two layers, dl/dw11(1) = (y^ - y) w11(2) a11 (1 - a11) x1", w1.Grad![0, 0].Item(), (yHat2 - 1) * w2[0, 0].Item() * a11 * (1 - a11) * 0.5, "0.#####e+0");
}

// %% The δ recursion (lecture 003) on lecture 004's 3-3-3-1 sigmoid network
// δ^L = ∂L/∂a^L · σ'(z^L); δ^l = (W^(l+1))ᵀ δ^(l+1) ⊙ σ'(z^l); ∂L/∂W^l = δ^l (a^(l−1))ᵀ; ∂L/∂b^l = δ^l.
// Written out with plain tensor arithmetic (no autograd), then compared with what autograd finds.
{
    var generator = new Generator(seed: 3);
    int[] sizes = [3, 3, 3, 1];
    var weights = new Tensor[3];
    var biases = new Tensor[3];
    for (int l = 0; l < 3; l++)
    {
        weights[l] = Tensor.Randn(generator, sizes[l + 1], sizes[l]).RequiresGrad_();
        biases[l] = Tensor.Randn(generator, sizes[l + 1], 1).RequiresGrad_();
    }
    var x0 = Tensor.FromArray(new float[,] { { 0.5f }, { -1.2f }, { 2.0f } });
    var label = Tensor.FromArray(new float[,] { { 1f } });

    // Autograd: record the forward pass, one Backward.
    var activation = x0;
    for (int l = 0; l < 3; l++) activation = (weights[l].MatMul(activation) + biases[l]).Sigmoid();
    Functional.BinaryCrossEntropy(activation, label).Backward();

    // By hand: keep every a^l, then run the recursion from the output back.
    using (Dendrite.Autograd.GradMode.NoGrad())
    {
        var activations = new List<Tensor> { x0 };
        for (int l = 0; l < 3; l++) activations.Add((weights[l].MatMul(activations[l]) + biases[l]).Sigmoid());
        // For a sigmoid output under binary cross-entropy δ^L = ∂L/∂a · a(1 − a) simplifies to a − y.
        var delta = activations[3] - label;
        double worst = 0;
        for (int l = 2; l >= 0; l--)
        {
            var gradW = delta.MatMul(activations[l].Transpose(0, 1));
            worst = Math.Max(worst, MaxAbsDifference(gradW, weights[l].Grad!));
            worst = Math.Max(worst, MaxAbsDifference(delta, biases[l].Grad!));
            if (l > 0)
            {
                var al = activations[l];
                delta = weights[l].Transpose(0, 1).MatMul(delta) * al * (1f - al);
            }
        }
        Show("delta recursion, largest |by hand - autograd| over 28 parameters", worst, 0, "0.#########");
        var last = weights[2].Grad!.ToArray();
        var a2 = activations[2].ToArray();
        double outputError = activations[3].Item() - 1;
        Show("delta recursion, dL/dw1[3] = (a[3] - y) a1[2]", last[0], outputError * a2[0]);
    }
}
Console.WriteLine($"figures: {Path.GetFullPath(figures)}");
