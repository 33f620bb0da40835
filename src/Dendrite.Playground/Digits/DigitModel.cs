using System.Globalization;
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Preprocessing;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;
using Dendrite.Data.Transforms;
using Dendrite.Playground.Networks;
using Dendrite.Playground.Web;
using Dendrite.Serialization;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

namespace Dendrite.Playground.Digits;

/// <summary>
/// The digit pad's network: a model file given with <c>--model</c> (input [1, 28, 28]), or a LeNet-5 trained
/// when the server starts on the MNIST-format folder found (4 epochs of SGD with momentum on randomly shifted
/// digits, seeded: the same weights every time; ~97% on the sample's test digits in ~10 s on two cores). Until it is ready the pad says so.
/// Predictions run one at a time under a lock (a module's forward pass is not meant for concurrent callers).
/// Saliency and FGSM (Dendrite.Insight) are in DigitModel.Insight.cs.
/// </summary>
internal sealed partial class DigitModel
{
    public const int Side = 28;
    private const int TrainEpochs = 4;

    private readonly object gate = new();
    private Sequential? model;
    private StandardScaler? scaler;
    private volatile string state = "unavailable";
    private volatile string message = "";
    private double progress;
    private double? accuracy;
    private string source = "";

    /// <summary>Loads or starts training the model, as the options say; returns at once while training runs on its own thread.</summary>
    public static DigitModel Start(PlaygroundOptions options, CancellationToken stop)
    {
        var digits = new DigitModel();
        if (!options.EnableDigits)
        {
            digits.message = "the digit pad is off in this server";
            return digits;
        }
        if (options.DigitModelPath is { } path)
        {
            digits.Load(path);
            return digits;
        }
        var folder = options.DigitDataPath ?? FindSample();
        if (folder is null)
        {
            digits.message = "no digit model: start with --model FILE, or from the repository (data/mnist-sample)";
            return digits;
        }
        digits.state = "training";
        digits.message = $"training LeNet-5 on {folder}";
        digits.source = $"LeNet-5 trained at start-up on {folder}";
        var thread = new Thread(() => digits.Train(folder, stop)) { IsBackground = true, Name = "playground digit model" };
        thread.Start();
        return digits;
    }

    /// <summary>Loads a model file; it must take [1, 28, 28] images (fails the server's start otherwise).</summary>
    private void Load(string path)
    {
        var (loaded, spec, preprocessor, facts) = TrainedModel.Load(path);
        if (!spec.Input.SequenceEqual([1, Side, Side]))
            throw new InvalidDataException($"{path}: the digit pad needs a model of input [1, {Side}, {Side}], this one takes [{string.Join(", ", spec.Input)}]");
        model = loaded;
        // A model trained by `dendrite train` expects pixels standardised as in its training.
        scaler = preprocessor?.Scaler;
        model.Eval();
        source = Path.GetFileName(path);
        if (facts.TryGetValue("test_accuracy", out var a) && double.TryParse(a, CultureInfo.InvariantCulture, out var v)) accuracy = v;
        state = "ready";
        message = $"model {source}";
    }

    private void Train(string folder, CancellationToken stop)
    {
        try
        {
            var train = Mnist.Load(folder, train: true);
            var test = Mnist.Load(folder, train: false);
            var net = Models.LeNet5(generator: new Generator(1));
            var optimizer = Optimizers.Create("momentum", net.Parameters(), 0.05f);
            var trainer = new Trainer(net, new CrossEntropyLoss(), optimizer, new Accuracy());
            // Digits shifted by up to 2 pixels: drawn digits sit less exactly in the middle than MNIST's.
            var shifted = new TransformedDataset(train, new RandomShift(maxPixels: 2, generator: new Generator(3)));
            var loader = new DataLoader(shifted, batchSize: 64, shuffle: true, generator: new Generator(2));
            trainer.Fit(loader, TrainEpochs, callbacks: [new LRSchedulerCallback(new CosineAnnealingLR(optimizer, tMax: TrainEpochs)), new Progress(this)],
                cancellationToken: stop);
            if (stop.IsCancellationRequested) return;
            accuracy = trainer.Evaluate(new DataLoader(test, batchSize: 500))["accuracy"];
            net.Eval();
            lock (gate) model = net;
            state = "ready";
            message = string.Create(CultureInfo.InvariantCulture, $"LeNet-5 trained on {train.Count:N0} digits: {accuracy * 100:0.0}% of {test.Count:N0} test digits right");
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            state = "failed";
            message = $"could not train the digit model: {e.Message}";
        }
    }

    private sealed class Progress(DigitModel digits) : Callback
    {
        public override void OnBatchEnd(TrainingContext context) =>
            digits.progress = (context.Epoch + (context.Batch + 1.0) / context.Batches) / context.Epochs;
    }

    /// <summary>Looks for data/mnist-sample in the current folder and its parents, then above the program's folder.</summary>
    private static string? FindSample()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "data", "mnist-sample");
                if (Mnist.FileNames(train: true).All(f => File.Exists(Path.Combine(candidate, f)) || File.Exists(Path.Combine(candidate, f + ".gz"))))
                    return candidate;
            }
        }
        return null;
    }

    /// <summary>What the pad shows before any drawing: the state, the layers and the first layer's filters.</summary>
    public object Describe()
    {
        var ready = state == "ready" ? model : null;
        return new
        {
            state,
            message,
            progress = state == "training" ? progress : (double?)null,
            accuracy,
            source,
            layers = ready is null ? null : Enumerable.Range(0, ready.Count).Select(i => Describe(ready[i])),
            filters = ready is null ? null : Filters(ready),
            // Dendrite.Insight's saliency overlay and FGSM image for the drawn digit (DigitModel.Insight.cs).
            insight = new { saliency = ready is not null, adversarial = ready is not null },
        };
    }

    private static string Describe(Module m) => m.ToString().Split('\n')[0];

    private static object? Filters(Sequential net)
    {
        for (int i = 0; i < net.Count; i++)
            if (net[i] is Conv2d conv)
                return new { layer = i, shape = conv.Weight.Shape.ToArray(), values = Frames.Floats(conv.Weight.ToArray()) };
        return null;
    }

    /// <summary>Class probabilities and every layer's output for one 28×28 image of values in [0, 1] (ink = 1).</summary>
    public object Predict(float[] pixels)
    {
        var net = Ready(pixels);
        lock (gate)
        {
            using var scope = new TensorScope();
            using var _ = GradMode.NoGrad();
            var x = Tensor.FromArray(pixels, 1, 1, Side, Side);
            if (scaler is not null) x = scaler.Transform(x);
            var layers = new List<object>();
            for (int i = 0; i < net.Count; i++)
            {
                x = net[i].Forward(x);
                layers.Add(new { index = i, name = Describe(net[i]), shape = x.Shape.ToArray()[1..], values = Frames.Floats(x.ToArray()) });
            }
            var probabilities = x.Softmax(1).ToArray();
            return new { probabilities, prediction = ArgMax(probabilities), layers };
        }
    }

    /// <summary>The ready model, after checking a drawing's pixels: 400 for bad pixels, 503 while there is no model.</summary>
    private Sequential Ready(float[] pixels)
    {
        if (pixels.Length != Side * Side) throw HttpError.BadRequest($"pixels: expected {Side * Side} values (28×28), got {pixels.Length}");
        if (pixels.Any(p => !float.IsFinite(p) || p < 0 || p > 1)) throw HttpError.BadRequest("pixels: every value must be in [0, 1]");
        return (state == "ready" ? model : null) ?? throw new HttpError(503, $"the digit model is not ready: {message}");
    }

    private static int ArgMax(float[] values) => Array.IndexOf(values, values.Max());
}
