using Dendrite.Autograd;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

namespace Dendrite.Playground.Networks;

/// <summary>
/// Trains a <see cref="PlaygroundNetwork"/> one mini-batch at a time, so the session's worker can stop between
/// any two steps (pause, a new configuration, a frame, the page closing) and change the learning rate, batch
/// size, regularisation or optimizer of the running network. The <see cref="Training.Trainer"/> runs whole
/// epochs and knows neither regularisation nor live changes, hence this small loop. One epoch is one pass over
/// the training rows in an order shuffled by the run's seed; the loss is mean cross-entropy (or mean squared
/// error) plus rate · Σ|w| (L1) or rate · Σw² (L2) over the weights.
/// </summary>
internal sealed class NetworkTrainer
{
    private readonly Generator shuffle;
    private int[] order;
    private int position;
    private Optimizer optimizer;

    public NetworkTrainer(PlaygroundNetwork network, PlaygroundData data, NetworkConfig config)
    {
        Network = network;
        Data = data;
        Config = config;
        shuffle = new Generator(config.Seed + 2);
        order = NewOrder();
        optimizer = CreateOptimizer(config);
    }

    public PlaygroundNetwork Network { get; }

    public PlaygroundData Data { get; }

    public NetworkConfig Config { get; private set; }

    /// <summary>Completed passes over the training rows.</summary>
    public int Epoch { get; private set; }

    /// <summary>Mini-batch steps taken.</summary>
    public long Steps { get; private set; }

    /// <summary>Takes the training-only settings of <paramref name="config"/> (the network and data stay).</summary>
    public void Update(NetworkConfig config)
    {
        if (config.Optimizer != Config.Optimizer) optimizer = CreateOptimizer(config);
        else optimizer.LearningRate = config.LearningRate;
        Config = config;
    }

    /// <summary>One mini-batch step; true when it finished an epoch.</summary>
    public bool Step()
    {
        int n = Data.TrainCount;
        int size = Math.Min(Config.BatchSize, n - position);
        int columns = Data.Columns;
        var x = new float[size * columns];
        var y = new float[size];
        for (int i = 0; i < size; i++)
        {
            int r = order[position + i];
            Data.TrainX.AsSpan(r * columns, columns).CopyTo(x.AsSpan(i * columns));
            y[i] = Data.TrainY[r];
        }
        using (new TensorScope())
        {
            var model = Network.Model;
            model.Train();
            optimizer.ZeroGrad();
            var output = model.Forward(Tensor.FromArray(x, size, columns));
            var loss = Network.Loss.Forward(output, Targets(y, size));
            if (Config.Regularization != "none" && Config.RegularizationRate > 0)
            {
                var penalty = Config.Regularization == "l1" ? Regularization.L1(Network.PenalisedWeights) : Regularization.L2(Network.PenalisedWeights);
                loss = loss + penalty * Config.RegularizationRate;
            }
            loss.Backward();
            optimizer.Step();
        }
        Steps++;
        position += size;
        if (position < n) return false;
        position = 0;
        order = NewOrder();
        Epoch++;
        return true;
    }

    /// <summary>Mean loss (without the penalty) and accuracy (classification; NaN for regression) over rows of <paramref name="x"/>.</summary>
    public (double Loss, double Accuracy) Evaluate(float[] x, float[] y)
    {
        int n = y.Length;
        if (n == 0) return (double.NaN, double.NaN);
        using var scope = new TensorScope();
        using var _ = GradMode.NoGrad();
        var (output, _, _) = Network.Probe(Tensor.FromArray(x, n, Data.Columns));
        double loss = Network.Loss.Forward(output, Targets(y, n)).Item();
        if (Network.IsRegression) return (loss, double.NaN);
        var logits = output.ToArray();
        int k = Data.ClassCount, correct = 0;
        for (int i = 0; i < n; i++)
        {
            int best = 0;
            for (int c = 1; c < k; c++) if (logits[i * k + c] > logits[i * k + best]) best = c;
            if (best == (int)y[i]) correct++;
        }
        return (loss, (double)correct / n);
    }

    private Tensor Targets(float[] y, int n) => Network.IsRegression ? Tensor.FromArray(y, n, 1) : Tensor.FromArray(y, n);

    private int[] NewOrder() => PlaygroundData.Permutation(Data.TrainCount, shuffle);

    private Optimizer CreateOptimizer(NetworkConfig config) => Optimizers.Create(config.Optimizer, Network.TrainableParameters, config.LearningRate);
}
