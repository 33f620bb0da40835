using System.Globalization;

namespace Dendrite.Optim.Schedulers;

/// <summary>
/// Base class of the epoch-based learning-rate schedulers, like <c>torch.optim.lr_scheduler.LRScheduler</c>:
/// call <see cref="Step"/> once per epoch, after the optimizer's steps. Construction records the optimizer's
/// current rate as <see cref="BaseLR"/> (epoch 0).
/// </summary>
public abstract class LRScheduler
{
    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLR = optimizer.LearningRate;
        LastLR = optimizer.LearningRate;
    }

    /// <summary>The optimizer whose learning rate this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>The learning rate when the scheduler was created.</summary>
    public float BaseLR { get; }

    /// <summary>How many times <see cref="Step"/> has been called (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>The learning rate set by the latest <see cref="Step"/> (or the starting one).</summary>
    public float LastLR { get; private set; }

    /// <summary>Advances one epoch and sets the optimizer's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        float lr = (float)NextLR(LastEpoch, Optimizer.LearningRate);
        Optimizer.LearningRate = lr;
        LastLR = lr;
    }

    /// <summary>The learning rate for <paramref name="epoch"/> (≥ 1), given the optimizer's current one.</summary>
    protected abstract double NextLR(int epoch, double currentLR);

    private protected static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    private protected static void RequirePositive(float value, string op, string what)
    {
        if (!(value > 0) || float.IsInfinity(value))
            throw new ArgumentException($"{op}: {what} must be positive, got {Format(value)}");
    }
}
