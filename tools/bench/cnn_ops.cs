#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Per-op times of one cnn training step (BENCHMARKS.md's VGG-style network, batch 128): each layer's forward
// pass (graph recorded) and backward pass, timed alone on the shapes the step gives it, medians of N runs.
// Run: dotnet run -c Release tools/bench/cnn_ops.cs -- [--threads T] [--reps N] [--batch B]
using System.Diagnostics;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

int threads = 1, reps = 7, batch = 128;
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--threads") threads = int.Parse(args[i + 1]);
    else if (args[i] == "--reps") reps = int.Parse(args[i + 1]);
    else if (args[i] == "--batch") batch = int.Parse(args[i + 1]);
}
Dendrite.Runtime.Threads.Count = threads;
var g = new Generator(0);
double total = 0;

IDisposable GradModeOff() => Dendrite.Autograd.GradMode.NoGrad();

double Median(Action action)
{
    action();
    var times = new double[reps];
    for (int r = 0; r < reps; r++)
    {
        long t = Stopwatch.GetTimestamp();
        action();
        times[r] = Stopwatch.GetElapsedTime(t).TotalMilliseconds;
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
        long t = Stopwatch.GetTimestamp();
        y.Backward(upstream);
        backwardTimes.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
    });
    backwardTimes.Sort();
    double backwardOnly = backwardTimes[backwardTimes.Count / 2];
    total += forward + backwardOnly;
    Console.WriteLine($"{name,-28} forward {forward,8:F2} ms   backward {backwardOnly,8:F2} ms");
    foreach (var p in module.Parameters()) p.Grad = null;
    x.Grad = null;
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
Console.WriteLine($"total {total:F1} ms per step of {batch}: {batch / total * 1000:F0} samples/s (threads {threads})");
