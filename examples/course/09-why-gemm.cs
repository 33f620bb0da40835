#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Page 09, why GEMM is at the heart of a neural network: docs/course/09-why-gemm.md. A Linear layer is one matrix
// product; a convolution becomes one after im2col, written here with plain tensor slicing and checked against
// Conv2d on LeNet-5's two convolutions; then the speed of Dendrite's GEMM, measured on this machine.
// Run from the repository root: dotnet run -c Release examples/course/09-why-gemm.cs [-- --write-figures]
using System.Diagnostics;
using System.Globalization;
using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.Insight;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Runtime;
using Dendrite.Tensors;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
string figures = args.Contains("--write-figures")
    ? Path.Combine("docs", "course", "images")
    : Directory.CreateTempSubdirectory("dendrite-course-09-").FullName;
Directory.CreateDirectory(figures);
var generator = new Generator(seed: 9);

// Helpers, defined first so that a notebook made from this program has them before the cells that use them.
// data/mnist-sample, looked for from the current directory upwards (a notebook of this program runs in
// docs/course/notebooks, the program itself from the repository root).
string MnistSample()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
        if (Directory.Exists(Path.Combine(dir.FullName, "data", "mnist-sample"))) return Path.Combine(dir.FullName, "data", "mnist-sample");
    throw new DirectoryNotFoundException($"data/mnist-sample is not in {Environment.CurrentDirectory} or above it: run from the repository root");
}

// The k×k patches of x [C, H, W] as the columns of a [C·k·k, (H−k+1)·(W−k+1)] matrix (stride 1). Row c·k·k + i·k + j
// holds pixel (i, j) of channel c's patches: the order of Conv2d's weight [O, C, k, k] flattened.
Tensor Im2Col(Tensor x, int k)
{
    int channels = x.Shape[0], outH = x.Shape[1] - k + 1, outW = x.Shape[2] - k + 1;
    var rows = new List<Tensor>();
    for (int c = 0; c < channels; c++)
        for (int i = 0; i < k; i++)
            for (int j = 0; j < k; j++)
                rows.Add(x[c].Narrow(0, i, outH).Narrow(1, j, outW).Reshape(outH * outW));
    return Tensor.Stack(rows);
}

// x [C, H, W] with p zeros added on every side.
Tensor Pad(Tensor x, int p)
{
    if (p == 0) return x;
    int c = x.Shape[0], h = x.Shape[1], w = x.Shape[2];
    var side = Tensor.Zeros(c, h, p);
    var wide = Tensor.Cat([side, x, side], axis: 2);
    var band = Tensor.Zeros(c, p, w + 2 * p);
    return Tensor.Cat([band, wide, band], axis: 1);
}

// The output of the model's layers before index `layer` for one sample [C, H, W].
Tensor ForwardTo(Sequential model, Tensor sample, int layer)
{
    var h = sample.Unsqueeze(0);
    foreach (var (_, module) in model.NamedChildren().Take(layer)) h = module.Call(h);
    return h[0];
}

double Best(Action action, int repeats)
{
    action();   // warm up: JIT, buffers, packed panels
    double best = double.MaxValue;
    for (int r = 0; r < repeats; r++)
    {
        var watch = Stopwatch.StartNew();
        action();
        best = Math.Min(best, watch.Elapsed.TotalSeconds);
    }
    return best;
}

double MaxAbsDifference(Tensor a, Tensor b)
{
    var x = a.ToArray();
    var y = b.ToArray();
    double worst = 0;
    for (int i = 0; i < x.Length; i++) worst = Math.Max(worst, Math.Abs(x[i] - y[i]));
    return worst;
}

// %% A fully connected layer is one GEMM
// A batch of 64 flattened digits [64, 784] through Linear(784, 256): the output is X·Wᵀ + b, one matrix product of
// [64, 784] by [784, 256].
var linear = new Linear(784, 256, generator: generator);
var batch = Tensor.Rand(generator, 64, 784);
var byLayer = linear.Call(batch);
var byProduct = batch.MatMul(linear.Weight.Transpose(0, 1)) + linear.Bias!;
Console.WriteLine($"Linear(784, 256) on [64, 784]: one GEMM of [64, 784] x [784, 256] -> [{string.Join(", ", byLayer.Shape.ToArray())}]");
Console.WriteLine($"Linear as X W^T + b, largest difference: {MaxAbsDifference(byLayer, byProduct):0.###e+0}");

// %% im2col: a convolution as one GEMM
// Unroll every k×k patch of the (padded) input into a column: a matrix of C·k·k rows and one column per output
// position. The filters, flattened to rows of C·k·k weights, times that matrix give every output at once.
var lenet = Models.LeNet5(generator: generator);
var convs = lenet.NamedChildren().Select(c => c.Module).OfType<Conv2d>().ToArray();
var digit = Mnist.Load(MnistSample(), train: false).Inputs[0];   // [1, 28, 28]
var c1Input = digit;
var c3Input = ForwardTo(lenet, digit, 3);   // S2's output, [6, 14, 14]: what C3 reads
foreach (var (name, conv, input, padding) in new[] { ("C1", convs[0], c1Input, 2), ("C3", convs[1], c3Input, 0) })
{
    int k = conv.Weight.Shape[2], outChannels = conv.Weight.Shape[0];
    var columns = Im2Col(Pad(input, padding), k);
    var filters = conv.Weight.Reshape(outChannels, -1);
    var asGemm = filters.MatMul(columns) + conv.Bias!.Reshape(outChannels, 1);
    var direct = conv.Call(input.Unsqueeze(0));
    int side = direct.Shape[2];
    Console.WriteLine($"im2col {name}: input [{string.Join(", ", input.Shape.ToArray())}], padding {padding}, {k}x{k} kernel");
    Console.WriteLine($"im2col {name} matrix rows (C*k*k): {columns.Shape[0]} (formula: {input.Shape[0] * k * k})");
    Console.WriteLine($"im2col {name} matrix columns (Hout*Wout): {columns.Shape[1]} (formula: {side * side})");
    Console.WriteLine($"im2col {name} filter matrix: [{filters.Shape[0]}, {filters.Shape[1]}], product: [{asGemm.Shape[0]}, {asGemm.Shape[1]}] -> output [{outChannels}, {side}, {side}]");
    Console.WriteLine($"im2col {name} GEMM against Conv2d, largest difference: {MaxAbsDifference(asGemm.Reshape(direct.Shape.ToArray()), direct):0.###e+0}");
}
// For a batch the columns of all images sit side by side: 64 digits make C1's matrix [25, 64·784].
Console.WriteLine($"im2col C1 for a batch of 64: [25, {64 * 784}]; C1's forward pass is a [6, 25] x [25, {64 * 784}] GEMM");

// %% The picture: a 14×14 digit and its 3×3 im2col matrix
// Each column of the matrix is one 3×3 patch read row by row; 144 columns for the 12×12 positions. Dark columns
// are patches of background, bright ones lie on the stroke; the rows are the same image shifted by one pixel.
var small = new AvgPool2d(2).Call(digit.Unsqueeze(0)).Reshape(1, 14, 14);
var smallColumns = Im2Col(small, 3);
ImageGrid.Render(small.Reshape(14, 14), ColorMap.Greys, range: (0f, 1f)).Upscale(12).Save(Path.Combine(figures, "09-im2col-input.png"));
ImageGrid.Render(smallColumns, ColorMap.Greys, range: (0f, 1f)).Upscale(6).Save(Path.Combine(figures, "09-im2col-matrix.png"));
Console.WriteLine($"im2col picture: input [14, 14], 3x3 patches -> matrix [{smallColumns.Shape[0]}, {smallColumns.Shape[1]}]");

// %% How fast is Dendrite's GEMM here?
// 2·m·n·k floating-point operations (a multiply and an add per term) over the best of several runs. The figure
// depends on the machine and on what else runs on it; docs/performance.md has figures measured side by side with
// OpenBLAS. A plain triple loop in C# is timed for comparison.
Console.WriteLine($"threads: {Threads.Count}");
foreach (var (m, n, kk) in new[] { (256, 256, 256), (512, 512, 512), (1024, 1024, 1024), (6, 64 * 784, 25), (64, 256, 784) })
{
    var a = Tensor.Rand(generator, m, kk);
    var b = Tensor.Rand(generator, kk, n);
    double seconds = Best(() => a.MatMul(b), repeats: 5);
    Console.WriteLine($"GEMM {m}x{kk} by {kk}x{n}: {2.0 * m * n * kk / seconds / 1e9:0.0} GFLOP/s");
}
{
    const int n = 256;
    var a = Tensor.Rand(generator, n, n).ToArray();
    var b = Tensor.Rand(generator, n, n).ToArray();
    var c = new float[n * n];
    double seconds = Best(() =>
    {
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float sum = 0;
                for (int p = 0; p < n; p++) sum += a[i * n + p] * b[p * n + j];
                c[i * n + j] = sum;
            }
    }, repeats: 2);
    Console.WriteLine($"triple loop 256x256 by 256x256: {2.0 * n * n * n / seconds / 1e9:0.00} GFLOP/s");
}
{
    var conv = convs[0];
    var images = Tensor.Rand(generator, 64, 1, 28, 28);
    double seconds = Best(() =>
    {
        using (GradMode.NoGrad()) conv.Call(images);   // inference only: no graph to record
    }, repeats: 5);
    Console.WriteLine($"Conv2d C1 on 64 digits (a [6, 25] x [25, 50176] GEMM): {2.0 * 6 * 25 * 64 * 784 / seconds / 1e9:0.0} GFLOP/s");
}
Console.WriteLine($"figures: {Path.GetFullPath(figures)}");
