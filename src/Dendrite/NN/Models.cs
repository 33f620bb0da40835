using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>The model zoo: the networks of the course and the benchmarks, ready to train.</summary>
public static class Models
{
    /// <summary>
    /// LeNet-5 as the benchmarks define it, for [N, 1, 28, 28] digits: Conv2d(1→6, 5×5, padding 2) ReLU
    /// MaxPool 2 → Conv2d(6→16, 5×5) ReLU MaxPool 2 → Flatten → Linear 400-120 ReLU → 84 ReLU → 10 logits.
    /// 61,706 parameters.
    /// </summary>
    public static Sequential LeNet5(int numClasses = 10, Generator? generator = null) =>
        LeNet(numClasses, generator, () => new ReLU(), () => new MaxPool2d(2));

    /// <summary>
    /// The 1998 LeNet-5 of LeCun et al. in its common modern reading: tanh activations and average-pooling
    /// subsampling (the paper's trainable subsampling and partial C3 connections are simplified away),
    /// same shapes as <see cref="LeNet5"/>.
    /// </summary>
    public static Sequential LeNet1998(int numClasses = 10, Generator? generator = null) =>
        LeNet(numClasses, generator, () => new Tanh(), () => new AvgPool2d(2));

    /// <summary>
    /// The benchmarks' <c>cnn</c>: a small VGG-style network for [N, 3, 32, 32] images (CIFAR-10 size). Three
    /// blocks of 32, 64 and 128 channels, each (Conv2d 3×3 padding 1 → BatchNorm2d → ReLU) twice then
    /// MaxPool 2, then Flatten → Linear 2048 → <paramref name="numClasses"/> logits. The convolutions keep
    /// their bias, as PyTorch's default does. 308,394 parameters with 10 classes.
    /// </summary>
    public static Sequential CifarCnn(int numClasses = 10, Generator? generator = null)
    {
        var model = new Sequential();
        int channels = 3;
        foreach (int width in new[] { 32, 64, 128 })
        {
            for (int i = 0; i < 2; i++)
            {
                model.Add(new Conv2d(channels, width, 3, padding: 1, generator: generator));
                model.Add(new BatchNorm2d(width));
                model.Add(new ReLU());
                channels = width;
            }
            model.Add(new MaxPool2d(2));
        }
        model.Add(new Flatten());
        return model.Add(new Linear(128 * 4 * 4, numClasses, generator: generator));
    }

    /// <summary>
    /// A multi-layer perceptron: Linear layers of the given hidden sizes, each followed by
    /// <paramref name="activation"/> (ReLU by default; called once per hidden layer so each gets its own
    /// module), and a final Linear to <paramref name="outputs"/> logits. <c>Mlp(784, [256, 128], 10)</c>
    /// is the benchmarks' MLP.
    /// </summary>
    public static Sequential Mlp(int inputs, IReadOnlyList<int> hidden, int outputs, Func<Module>? activation = null,
        Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(hidden);
        var model = new Sequential();
        int width = inputs;
        foreach (var h in hidden)
        {
            model.Add(new Linear(width, h, generator: generator));
            model.Add(activation?.Invoke() ?? new ReLU());
            width = h;
        }
        return model.Add(new Linear(width, outputs, generator: generator));
    }

    /// <summary>The LeNet-5 shapes, with the activation and the 2×2 subsampling of one variant or the other.</summary>
    private static Sequential LeNet(int numClasses, Generator? generator, Func<Module> activation, Func<Module> pool) => new(
        new Conv2d(1, 6, 5, padding: 2, generator: generator), activation(), pool(),
        new Conv2d(6, 16, 5, generator: generator), activation(), pool(),
        new Flatten(),
        new Linear(400, 120, generator: generator), activation(),
        new Linear(120, 84, generator: generator), activation(),
        new Linear(84, numClasses, generator: generator));
}
