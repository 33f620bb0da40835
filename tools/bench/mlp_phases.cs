#:project ../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJit=false
#:property ConcurrentGarbageCollection=false
// Where the time of one MLP training step goes (BENCHMARKS.md's 784-256-128-10 network, batch 64, SGD 0.05
// with momentum 0.9, the MNIST sample): each step is cut into the next batch, forward (model and loss),
// backward and optimizer (ZeroGrad + Step), timed with the wall clock; the first epoch is a warm-up. Prints
// one JSON line with the 10th percentile, the median, the 90th percentile and the mean of each phase over the
// steps, in microseconds. The 10th percentile is the figure to compare on a machine shared with other jobs:
// most steps of a few hundred microseconds run undisturbed, so it moves far less than a mean or an epoch
// time. The mean is what samples/s sees (also printed, from the epochs after the first, as bench mlp does);
// a mean far above the median means a tail of stalled steps.
// Run: dotnet run -c Release tools/bench/mlp_phases.cs -- [--threads T] [--epochs E] [--data DIR]
// Compare thread counts in interleaved rounds (1 2 1 2 ...), as docs/performance.md does.
using System.Diagnostics;
using System.Text.Json;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

int threads = Dendrite.Runtime.Threads.Count, epochs = 6;
string data = Path.Combine("data", "mnist-sample");
for (int i = 0; i + 1 < args.Length; i += 2)
{
    if (args[i] == "--threads") threads = int.Parse(args[i + 1]);
    else if (args[i] == "--epochs") epochs = int.Parse(args[i + 1]);
    else if (args[i] == "--data") data = args[i + 1];
    else
    {
        Console.Error.WriteLine($"mlp_phases: unknown option {args[i]} (expected --threads, --epochs or --data)");
        return 2;
    }
}
if (threads < 1 || epochs < 2)
{
    Console.Error.WriteLine($"mlp_phases: --threads must be at least 1 and --epochs at least 2, got {threads} and {epochs}");
    return 2;
}
Dendrite.Runtime.Threads.Count = threads;

var train = Mnist.Load(data, train: true);
var model = new Sequential(new Flatten(), Models.Mlp(784, [256, 128], 10, generator: new Generator(0)));
var loss = new CrossEntropyLoss();
var optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
var loader = new DataLoader(train, 64, shuffle: true, generator: new Generator(0));
string[] names = ["batch", "forward", "backward", "optimizer", "step"];
var samples = names.Select(_ => new List<double>()).ToArray();
double Us(long from, long to) => (to - from) * 1e6 / Stopwatch.Frequency;

model.Train();
var epochSeconds = new List<double>();
for (int epoch = 0; epoch < epochs; epoch++)
{
    long epochStart = Stopwatch.GetTimestamp();
    using var batches = loader.GetEnumerator();
    while (true)
    {
        // As the Trainer does: the step's tensors, the batch included, go back to the buffer pool at its end.
        using var scope = new TensorScope(reuseObjects: true);
        long t0 = Stopwatch.GetTimestamp();
        if (!batches.MoveNext()) break;
        var batch = batches.Current;
        long t1 = Stopwatch.GetTimestamp();
        var l = loss.Forward(model.Forward(batch.Inputs), batch.Targets);
        long t2 = Stopwatch.GetTimestamp();
        l.Backward();
        long t3 = Stopwatch.GetTimestamp();
        optimizer.Step();
        optimizer.ZeroGrad();
        long t4 = Stopwatch.GetTimestamp();
        if (epoch == 0) continue;
        samples[0].Add(Us(t0, t1));
        samples[1].Add(Us(t1, t2));
        samples[2].Add(Us(t2, t3));
        samples[3].Add(Us(t3, t4));
        samples[4].Add(Us(t0, t4));
    }
    if (epoch > 0) epochSeconds.Add(Stopwatch.GetElapsedTime(epochStart).TotalSeconds);
}

double Quantile(List<double> v, double q)
{
    v.Sort();
    return Math.Round(v[(int)(q * (v.Count - 1))], 1);
}
var p10 = new Dictionary<string, double>();
var median = new Dictionary<string, double>();
var p90 = new Dictionary<string, double>();
var mean = new Dictionary<string, double>();
for (int i = 0; i < names.Length; i++)
{
    p10[names[i]] = Quantile(samples[i], 0.1);
    median[names[i]] = Quantile(samples[i], 0.5);
    p90[names[i]] = Quantile(samples[i], 0.9);
    mean[names[i]] = Math.Round(samples[i].Average(), 1);
}
Console.WriteLine(JsonSerializer.Serialize(new
{
    bench = "mlp_phases", threads, steps = samples[4].Count,
    samples_per_s = Math.Round(train.Count / epochSeconds.Order().ElementAt(epochSeconds.Count / 2)), p10_us = p10, median_us = median, p90_us = p90, mean_us = mean,
}));
return 0;
