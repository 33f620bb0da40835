#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Per-op times of one cnn training step (BENCHMARKS.md's VGG-style network, batch 128): each layer's forward
// pass (graph recorded) and backward pass, timed alone on the shapes the step gives it, medians of N runs.
// Run: dotnet run -c Release tools/bench/cnn_ops.cs -- [--threads T] [--reps N] [--batch B] [--cpu] [--lenet]
// --lenet times LeNet-5's convolution layers instead (batch 64 unless --batch says otherwise), then one whole
// training step of Models.LeNet5 (forward, cross-entropy, backward, SGD with momentum) on random digits.
// --cpu times the calling thread's CPU time instead of wall time (Linux): with --threads 1 all the work runs on
// that thread, and on a machine shared with other jobs its CPU time is far steadier than the wall clock.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

int threads = 1, reps = 7, batch = 128;
bool cpu = args.Contains("--cpu"), lenet = args.Contains("--lenet");
if (lenet) batch = 64;
args = [.. args.Where(a => a != "--cpu" && a != "--lenet")];
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--threads") threads = int.Parse(args[i + 1]);
    else if (args[i] == "--reps") reps = int.Parse(args[i + 1]);
    else if (args[i] == "--batch") batch = int.Parse(args[i + 1]);
}
Dendrite.Runtime.Threads.Count = threads;
var g = new Generator(0);
double total = 0;

// Milliseconds on the chosen clock.
double Now()
{
    if (!cpu) return Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
    Clock.clock_gettime(3 /* CLOCK_THREAD_CPUTIME_ID */, out var ts);
    return ts.Seconds * 1e3 + ts.Nanoseconds / 1e6;
}

IDisposable GradModeOff() => Dendrite.Autograd.GradMode.NoGrad();

double Median(Action action)
{
    action();
    // LeNet's layers take a millisecond: without this, the first hundred calls would run (and be timed) before
    // the JIT's tier-1 code replaces the first tier's, which needs 30 calls and a 100 ms pause.
    for (var warm = Stopwatch.StartNew(); lenet && (warm.ElapsedMilliseconds < 500);) action();
    var times = new double[reps];
    for (int r = 0; r < reps; r++)
    {
        double t = Now();
        action();
        times[r] = Now() - t;
    }
    Array.Sort(times);
    return times[reps / 2];
}

// Times module's forward pass (recording) and backward pass for input [batch, c, h, w].
void Layer(string name, Module module, int c, int h, int w, bool inputGrad)
{
    var x = Tensor.Randn(g, batch, c, h, w);
    if (inputGrad) x.RequiresGrad_();
    module.Train();
    double forward = Median(() =>
    {
        using var scope = new TensorScope(reuseObjects: true);
        module.Forward(x);
    });
    Tensor upstream;
    using (GradModeOff()) upstream = Tensor.Randn(g, [.. module.Forward(x).Shape.ToArray()]);
    var backwardTimes = new List<double>();
    Median(() =>
    {
        using var scope = new TensorScope(reuseObjects: true);
        var y = module.Forward(x);
        double t = Now();
        y.Backward(upstream);
        backwardTimes.Add(Now() - t);
    });
    backwardTimes.Sort();
    double backwardOnly = backwardTimes[backwardTimes.Count / 2];
    total += forward + backwardOnly;
    Console.WriteLine($"{name,-28} forward {forward,8:F2} ms   backward {backwardOnly,8:F2} ms");
    foreach (var p in module.Parameters()) p.Grad = null;
    x.Grad = null;
}

if (lenet)
{
    Layer("lenet conv 1->6 28x28 pad 2", new Sequential(new Conv2d(1, 6, 5, padding: 2, generator: g), new ReLU()), 1, 28, 28, inputGrad: false);
    Layer("lenet conv 6->16 14x14", new Sequential(new Conv2d(6, 16, 5, generator: g), new ReLU()), 6, 14, 14, inputGrad: true);
    Console.WriteLine($"total {total:F2} ms per step of {batch} (threads {threads}, {(cpu ? "thread CPU time" : "wall time")})");
    var model = Models.LeNet5(generator: g);
    var sgd = new Dendrite.Optim.Sgd(model.Parameters(), lr: 0.01f, momentum: 0.9f);
    var digits = Tensor.Randn(g, batch, 1, 28, 28);
    var labels = Tensor.FromArray([.. Enumerable.Range(0, batch).Select(i => (float)(i % 10))], batch);
    void Step()
    {
        using var scope = new TensorScope(reuseObjects: true);
        sgd.ZeroGrad();
        Functional.CrossEntropy(model.Forward(digits), labels).Backward();
        sgd.Step();
    }
    double step = Median(Step);
    Console.WriteLine($"lenet training step {step,8:F2} ms per step of {batch}: {batch / step * 1000:F0} samples/s ({(cpu ? "thread CPU time" : "wall time")})");
    return;
}
int ch = 3, size = 32;
foreach (int width in new[] { 32, 64, 128 })
{
    for (int i = 0; i < 2; i++)
    {
        Layer($"conv {ch}->{width} {size}x{size}", new Conv2d(ch, width, 3, padding: 1, generator: g), ch, size, size, inputGrad: ch != 3);
        Layer($"bn+relu {width} {size}x{size}", new Sequential(new BatchNorm2d(width), new ReLU()), width, size, size, inputGrad: true);
        ch = width;
    }
    Layer($"maxpool {width} {size}x{size}", new MaxPool2d(2), width, size, size, inputGrad: true);
    size /= 2;
}
Layer("flatten+linear 2048-10", new Sequential(new Flatten(), new Linear(2048, 10, generator: g)), 128, 4, 4, inputGrad: true);
Console.WriteLine($"total {total:F1} ms per step of {batch}: {batch / total * 1000:F0} samples/s (threads {threads}, {(cpu ? "thread CPU time" : "wall time")})");

internal struct TimeSpec
{
    public long Seconds, Nanoseconds;
}

internal static class Clock
{
    [DllImport("libc")]
    public static extern int clock_gettime(int clock, out TimeSpec time);
}
