#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Course page 02, activation functions and their derivatives (docs/course/02-activations.md).
// Run: dotnet run -c Release examples/course/02-activations.cs [-- --write-figures]
// Every derivative here comes from autograd (Backward), and is printed beside the lecture's closed form.
using Dendrite.Autograd;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

var figures = args.Contains("--write-figures")
    ? Directory.CreateDirectory(Path.Combine("docs", "course", "images")).FullName
    : Directory.CreateTempSubdirectory("dendrite-course-").FullName;

// g(z) and dg/dz at the points z, the derivative taken by autograd.
(float[] Value, float[] Slope) Eval(Func<Tensor, Tensor> g, params float[] z)
{
    var input = Tensor.FromArray(z, z.Length).RequiresGrad_();
    var output = g(input);
    output.Sum().Backward();
    return (output.Detach().ToArray(), input.Grad!.ToArray());
}

// %% Sigmoid: g(z) = 1 / (1 + e^−z), g′(z) = g(z)(1 − g(z))
var (s, ds) = Eval(t => t.Sigmoid(), -6f, 0f, 2f);
Console.WriteLine($"σ(−6): {s[0]:F5} (lecture: 0.002)");
Console.WriteLine($"σ(0): {s[1]:F4} (lecture: 0.5, the middle of (0, 1))");
Console.WriteLine($"σ′(−6) by autograd: {ds[0]:F6} (lecture: σ(−6)(1 − σ(−6)) = {s[0] * (1 - s[0]):F6})");
Console.WriteLine($"σ′(2) by autograd: {ds[2]:F6} (lecture: σ(2)(1 − σ(2)) = {s[2] * (1 - s[2]):F6})");

// %% Tanh: g(z) = (e^z − e^−z) / (e^z + e^−z) = (1 − e^−2z) / (1 + e^−2z), g′(z) = 1 − g(z)²
var (th, dth) = Eval(t => t.Tanh(), 1f, -0.5f);
Console.WriteLine($"tanh(1): {th[0]:F6} (lecture: (1 − e^−2)/(1 + e^−2) = {(1 - Math.Exp(-2)) / (1 + Math.Exp(-2)):F6})");
Console.WriteLine($"tanh′(1) by autograd: {dth[0]:F6} (lecture: 1 − tanh(1)² = {1 - th[0] * th[0]:F6})");
Console.WriteLine($"tanh′(−0.5) by autograd: {dth[1]:F6} (lecture: 1 − tanh(−0.5)² = {1 - th[1] * th[1]:F6})");

// %% ReLU: g(z) = max(0, z), g′(z) = 1 for z > 0 and 0 otherwise
var (r, dr) = Eval(t => t.Relu(), -2f, 0f, 3f);
Console.WriteLine($"ReLU(−2), ReLU(0), ReLU(3): {r[0]}, {r[1]}, {r[2]} (lecture: 0, 0, 3)");
Console.WriteLine($"ReLU′(−2), ReLU′(0), ReLU′(3) by autograd: {dr[0]}, {dr[1]}, {dr[2]} (lecture: 0, 0, 1)");

// %% Leaky ReLU: g(z) = max(0.1z, z), slope 0.1 on the negative side
var (l, dl) = Eval(t => t.LeakyRelu(0.1f), -2f, 3f);
Console.WriteLine($"leaky ReLU(−2), leaky ReLU(3): {l[0]:F1}, {l[1]:F1} (lecture: max(0.1·(−2), −2) = -0.2, 3)");
Console.WriteLine($"leaky ReLU′(−2), leaky ReLU′(3) by autograd: {dl[0]:F1}, {dl[1]:F1} (lecture: 0.1, 1)");

// %% Step: 1 for z > 0, else 0. Its slope is 0 wherever it has one, so gradient descent can learn nothing through it
float[] stepValues;
using (GradMode.NoGrad()) stepValues = Tensor.FromArray([-1f, 0f, 1f], 3).Step().ToArray();
Console.WriteLine($"step(−1), step(0), step(1): {stepValues[0]}, {stepValues[1]}, {stepValues[2]} (lecture: 0, 0, 1)");
try
{
    Eval(t => t.Step(), -1f, 0f, 1f);
    Console.WriteLine("step′ by autograd: computed (lecture: unusable for gradient descent)");
}
catch (InvalidOperationException e)
{
    // Dendrite refuses rather than hand back zeros that would silently teach nothing.
    Console.WriteLine($"step′ by autograd: refused (lecture: unusable for gradient descent) - {e.Message}");
}

// %% Maxout: max(w₁ᵀx + b₁, w₂ᵀx + b₂); with pieces z and 0.1z it is the leaky ReLU
var maxout = new Maxout(inFeatures: 1, outFeatures: 1, pieces: 2);
using (GradMode.NoGrad())
{
    maxout.Weight.CopyFrom_(Tensor.FromArray([1f, 0.1f], 2, 1));
    maxout.Bias!.Fill_(0f);
}
var (m, dm) = Eval(t => maxout.Call(t.Reshape(-1, 1)).Reshape(-1), -2f, 3f);
Console.WriteLine($"maxout(z, 0.1z) at −2 and 3: {m[0]:F1}, {m[1]:F1} (lecture: the leaky ReLU's -0.2, 3)");
Console.WriteLine($"maxout′ by autograd at −2 and 3: {dm[0]:F1}, {dm[1]:F1} (lecture: 0.1, 1, the winning piece's slope)");

// %% Figures: the curves and their derivatives on [−4, 4], every derivative from autograd
var z = Tensor.Linspace(-4f, 4f, 161).ToArray();
var xs = z.Select(v => (double)v).ToArray();
var activations = new (string Name, Func<Tensor, Tensor> G)[]
{
    ("step", t => t.Step()), ("sigmoid", t => t.Sigmoid()), ("tanh", t => t.Tanh()),
    ("ReLU", t => t.Relu()), ("leaky ReLU 0.1", t => t.LeakyRelu(0.1f)),
};
var curves = new List<ChartSeries>();
var slopes = new List<ChartSeries>();
foreach (var (name, g) in activations)
{
    if (name == "step")
    {
        // No derivative to draw: autograd refuses the step, as above (an empty line keeps the colours matched).
        slopes.Add(new ChartSeries("step′: none", [], []));
        using (GradMode.NoGrad())
            curves.Add(new ChartSeries(name, xs, [.. g(Tensor.FromArray(z, z.Length)).ToArray().Select(v => (double)v)]));
        continue;
    }
    var (value, slope) = Eval(g, z);
    curves.Add(new ChartSeries(name, xs, [.. value.Select(v => (double)v)]));
    slopes.Add(new ChartSeries(name + "′", xs, [.. slope.Select(v => (double)v)]));
}
LineChart.Save(Path.Combine(figures, "02-activations.svg"), "Activation functions g(z)", "z", "g(z)", curves, yRange: (-1.5, 4));
LineChart.Save(Path.Combine(figures, "02-derivatives.svg"), "Their derivatives g′(z), by autograd", "z", "g′(z)", slopes, yRange: (-0.1, 1.1));
Console.WriteLine($"figures: {figures}");
