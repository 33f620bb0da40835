using System.Diagnostics;
using System.Text.Json;
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Kernels;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

namespace Dendrite.Cli.Bench;

/// <summary>
/// The benchmark workloads, defined exactly as ../shared/bench/torch_bench.py defines them for PyTorch, so
/// the two outputs can be joined line by line: same shapes, repetitions, optimizer, batch and data.
/// </summary>
internal sealed partial class Benchmarks(int? threads, string dataDirectory, int epochs, TextWriter output)
{
    private const int Batch = 64;
    private readonly int threadCount = ApplyThreads(threads);
    private Sequential? mlp, lenet;
    private (TensorDataset Train, TensorDataset Test)? data;

    private static int ApplyThreads(int? requested)
    {
        if (requested is int n) Runtime.Threads.Count = n;
        return Runtime.Threads.Count;
    }

    public void Run(string workload)
    {
        bool all = workload == "all";
        if (all || workload == "gemm") Gemm();
        if (all || workload == "mlp") mlp = Train("mlp", MlpModel());
        if (all || workload == "lenet") lenet = Train("lenet", Models.LeNet5(generator: new Generator(0)));
        if (all || workload == "infer")
        {
            Infer("mlp", mlp ?? Train("mlp", MlpModel(), emit: false));
            Infer("lenet", lenet ?? Train("lenet", Models.LeNet5(generator: new Generator(0)), emit: false));
        }
        // As BENCHMARKS.md defines it: the MNIST workloads' peak, read before cnn's activations would dominate it.
        if (workload != "cnn") Emit(new { bench = "peak_rss", engine = "dendrite", threads = threadCount, max_rss_mb = PeakRssMb() });
        if (all || workload == "cnn") Cnn();
    }

    private static long PeakRssMb() => Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024);

    private static Sequential MlpModel() => new(new Flatten(), Models.Mlp(784, [256, 128], 10, generator: new Generator(0)));

    private void Emit(object record) => output.WriteLine(JsonSerializer.Serialize(record));

    private void Gemm()
    {
        var g = new Generator(1);
        foreach (int n in new[] { 128, 256, 512, 1024, 2048 })
        {
            int reps = Math.Max(3, (int)(2e9 / (2.0 * n * n * n)));
            double seconds = TimeGemm(g, n, n, n, reps);
            Emit(new { bench = "gemm", engine = "dendrite", threads = threadCount, n, gflops = Math.Round(2.0 * n * n * n / seconds / 1e9, 1) });
        }
        foreach (var (m, k, n) in new[] { (64, 784, 256), (256, 784, 256), (64, 256, 128) })
        {
            double seconds = TimeGemm(g, m, k, n, 200);
            Emit(new { bench = "gemm", engine = "dendrite", threads = threadCount, m, k, n, gflops = Math.Round(2.0 * m * k * n / seconds / 1e9, 1) });
        }
    }

    private static double TimeGemm(Generator g, int m, int k, int n, int reps)
    {
        var a = Tensor.Randn(g, m, k).ToArray();
        var b = Tensor.Randn(g, k, n).ToArray();
        var c = new float[m * n];
        Kernels.Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n);
        return Median(reps, () => Kernels.Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n));
    }

    private (TensorDataset Train, TensorDataset Test) Data() =>
        data ??= (Mnist.Load(dataDirectory, train: true), Mnist.Load(dataDirectory, train: false));

    private Sequential Train(string name, Sequential model, bool emit = true)
    {
        var (train, test) = Data();
        var (times, allocated) = TrainEpochs(model, train, Batch, epochs, warmUp: 0);
        double accuracy = Accuracy(model, test);
        double median = times[times.Count / 2];
        if (emit)
            Emit(new
            {
                bench = $"{name}_train", engine = "dendrite", threads = threadCount, samples_per_epoch = train.Count, batch = Batch,
                epoch_s_median = Math.Round(median, 3), epoch_s_min = Math.Round(times[0], 3),
                samples_per_s = Math.Round(train.Count / median), test_acc = Math.Round(accuracy, 4), epochs,
                alloc_bytes_per_step = allocated,
            });
        return model;
    }

    /// <summary>
    /// Trains <paramref name="model"/> for <paramref name="warmUp"/> + <paramref name="timed"/> epochs (cross-entropy,
    /// SGD lr 0.05 momentum 0.9, shuffled) and returns the timed epochs' seconds, sorted, and the managed bytes
    /// allocated per step after the first epoch (−1 when there was no later epoch). With no warm-up epoch every
    /// epoch is timed, the first included, as the MNIST workloads have always been measured.
    /// </summary>
    private static (List<double> Times, long AllocatedPerStep) TrainEpochs(Sequential model, TensorDataset train, int batch, int timed, int warmUp)
    {
        var loss = new CrossEntropyLoss();
        var optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
        var loader = new DataLoader(train, batch, shuffle: true, generator: new Generator(0));
        var times = new List<double>();
        long allocated = 0, steps = 0;
        for (int epoch = 0; epoch < warmUp + timed; epoch++)
        {
            model.Train();
            long before = GC.GetAllocatedBytesForCurrentThread();
            int epochSteps = 0;
            var clock = Stopwatch.StartNew();
            using var batches = loader.GetEnumerator();
            while (true)
            {
                // As the Trainer does: the step's tensors, the batch included, go back to the buffer pool at its end.
                using var step = new TensorScope(reuseObjects: true);
                if (!batches.MoveNext()) break;
                var b = batches.Current;
                optimizer.ZeroGrad();
                var l = loss.Forward(model.Forward(b.Inputs), b.Targets);
                l.Backward();
                optimizer.Step();
                epochSteps++;
            }
            if (epoch >= warmUp) times.Add(clock.Elapsed.TotalSeconds);
            if (epoch > 0)
            {
                // The first epoch warms up the JIT and the buffers; steady state is what the target is about.
                allocated += GC.GetAllocatedBytesForCurrentThread() - before;
                steps += epochSteps;
            }
        }
        times.Sort();
        return (times, steps > 0 ? allocated / steps : -1);
    }

    /// <summary>Test accuracy, evaluated 500 images at a time so the evaluation does not set the memory peak.</summary>
    private static double Accuracy(Module model, TensorDataset test)
    {
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        double correct = 0;
        foreach (var batch in new DataLoader(test, 500))
        {
            using var scope = new TensorScope();
            correct += model.Forward(batch.Inputs).ArgMax(1).Eq(batch.Targets).Sum().Item();
        }
        return correct / test.Count;
    }

    private void Infer(string name, Sequential model) => Infer(name, model, Data().Test.Inputs, calls: 2000, warmUp: 200, batchReps: 30);

    /// <summary>
    /// Batch-1 latency (median and p99 of <paramref name="calls"/> calls after <paramref name="warmUp"/>) on the
    /// first image of <paramref name="inputs"/>, and batch-256 samples/s (median of <paramref name="batchReps"/>
    /// calls) on its first 256, in evaluation mode without gradients.
    /// </summary>
    private void Infer(string name, Sequential model, Tensor inputs, int calls, int warmUp, int batchReps)
    {
        model.Eval();
        using var noGrad = GradMode.NoGrad();
        var x1 = inputs.Narrow(0, 0, 1).Contiguous();
        var xb = inputs.Narrow(0, 0, 256).Contiguous();
        for (int i = 0; i < warmUp; i++) Forward(model, x1);
        var latencies = new double[calls];
        for (int i = 0; i < latencies.Length; i++)
        {
            long t = Stopwatch.GetTimestamp();
            Forward(model, x1);
            latencies[i] = Stopwatch.GetElapsedTime(t).TotalMicroseconds;
        }
        Array.Sort(latencies);
        Emit(new
        {
            bench = $"{name}_infer_b1", engine = "dendrite", threads = threadCount,
            latency_us_median = Math.Round(latencies[calls / 2], 1), latency_us_p99 = Math.Round(latencies[(int)(calls * 0.99)], 1),
        });
        for (int i = 0; i < 5; i++) Forward(model, xb);
        double seconds = Median(batchReps, () => Forward(model, xb));
        Emit(new { bench = $"{name}_infer_b256", engine = "dendrite", threads = threadCount, samples_per_s = Math.Round(256 / seconds) });
    }

    /// <summary>One inference call; its intermediates return to the pool (the output is read before the scope ends).</summary>
    private static float Forward(Module model, Tensor x)
    {
        using var scope = new TensorScope();
        return model.Forward(x).Data[0];
    }

    private static double Median(int reps, Action action)
    {
        var times = new double[reps];
        for (int i = 0; i < reps; i++)
        {
            long t = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(t).TotalSeconds;
        }
        Array.Sort(times);
        return times[reps / 2];
    }
}
