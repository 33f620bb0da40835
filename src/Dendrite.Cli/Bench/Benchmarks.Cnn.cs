using Dendrite.Data;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Cli.Bench;

/// <summary>
/// The <c>cnn</c> workload of BENCHMARKS.md: <see cref="Models.CifarCnn"/> trained on synthetic CIFAR-10-size
/// images (throughput only, no accuracy), then its inference latency and batch-256 throughput.
/// </summary>
internal sealed partial class Benchmarks
{
    private const int CnnImages = 2048, CnnBatch = 128;

    private void Cnn()
    {
        // Synthetic and seeded: 2,048 N(0, 1) images [3, 32, 32] and labels uniform on 0-9.
        var g = new Generator(0);
        var images = Tensor.Randn(g, CnnImages, 3, 32, 32);
        var labels = Tensor.RandInt(0, 10, [CnnImages], g);
        var model = Models.CifarCnn(generator: new Generator(0));
        // One warm-up epoch (JIT, buffer pool), then the timed ones.
        var (times, allocated) = TrainEpochs(model, new TensorDataset(images, labels), CnnBatch, epochs, warmUp: 1);
        double median = times[times.Count / 2];
        Emit(new
        {
            bench = "cnn_train", engine = "dendrite", threads = threadCount, samples_per_epoch = CnnImages, batch = CnnBatch,
            epoch_s_median = Math.Round(median, 3), epoch_s_min = Math.Round(times[0], 3),
            samples_per_s = Math.Round(CnnImages / median), epochs, alloc_bytes_per_step = allocated,
        });
        // The process's peak so far is cnn training's: peak_rss proper is the MNIST workloads' (read before this).
        Emit(new { bench = "cnn_peak_rss", engine = "dendrite", threads = threadCount, max_rss_mb = PeakRssMb() });
        Infer("cnn", model, images, calls: 500, warmUp: 50, batchReps: 10);
    }
}
