using System.Globalization;

namespace Dendrite.Optim.Schedulers;

/// <summary>
/// Base class of the epoch-based learning-rate schedulers, like <c>torch.optim.lr_scheduler.LRScheduler</c>:
/// call <see cref="Step"/> once per epoch, after the optimizer's steps. Construction records each parameter
/// group's current rate as its base rate (<see cref="BaseLRs"/>, epoch 0); every step sets each group's rate
/// from its own base and current rate, as PyTorch's schedulers do.
/// </summary>
public abstract class LRScheduler
{
    private readonly float[] lastLRs;

    protected LRScheduler(Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        Optimizer = optimizer;
        BaseLRs = optimizer.ParamGroups.Select(g => g.LearningRate).ToArray();
        lastLRs = [.. BaseLRs];
    }

    /// <summary>The optimizer whose learning rates this scheduler sets.</summary>
    public Optimizer Optimizer { get; }

    /// <summary>Each parameter group's learning rate when the scheduler was created (PyTorch's <c>base_lrs</c>).</summary>
    public IReadOnlyList<float> BaseLRs { get; }

    /// <summary>The first group's base learning rate (the only one without groups).</summary>
    public float BaseLR => BaseLRs[0];

    /// <summary>How many times <see cref="Step"/> has been called (PyTorch's <c>last_epoch</c>).</summary>
    public int LastEpoch { get; private set; }

    /// <summary>Each group's learning rate set by the latest <see cref="Step"/> (or the starting ones), like <c>get_last_lr()</c>.</summary>
    public IReadOnlyList<float> LastLRs => lastLRs;

    /// <summary>The first group's learning rate set by the latest <see cref="Step"/> (or the starting one).</summary>
    public float LastLR => lastLRs[0];

    /// <summary>Advances one epoch and sets every group's learning rate.</summary>
    public void Step()
    {
        LastEpoch++;
        var groups = Optimizer.ParamGroups;
        for (int g = 0; g < groups.Count; g++)
        {
            float lr = (float)NextLR(LastEpoch, BaseLRs[g], groups[g].LearningRate);
            groups[g].LearningRate = lr;
            lastLRs[g] = lr;
        }
    }

    /// <summary>
    /// What a resumed run needs to continue the schedule, like PyTorch's <c>state_dict()</c>: the step count
    /// (<c>last_epoch</c>) and each group's last rate (<c>lr.0</c>, <c>lr.1</c>, ...).
    /// </summary>
    public IReadOnlyDictionary<string, double> StateDict()
    {
        var state = new Dictionary<string, double> { ["last_epoch"] = LastEpoch };
        for (int g = 0; g < lastLRs.Length; g++) state[$"lr.{g}"] = lastLRs[g];
        return state;
    }

    /// <summary>Takes back <see cref="StateDict"/>'s values and sets the optimizer's rates to them.</summary>
    public void LoadStateDict(IReadOnlyDictionary<string, double> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        LastEpoch = (int)Read(state, "last_epoch", GetType().Name);
        for (int g = 0; g < lastLRs.Length; g++)
        {
            lastLRs[g] = (float)Read(state, $"lr.{g}", GetType().Name);
            Optimizer.ParamGroups[g].LearningRate = lastLRs[g];
        }
    }

    private protected static double Read(IReadOnlyDictionary<string, double> state, string key, string op) =>
        state.TryGetValue(key, out var v) ? v : throw new ArgumentException($"{op}.LoadStateDict: the state lacks '{key}'");

    /// <summary>
    /// A group's learning rate for <paramref name="epoch"/> (≥ 1), given its base rate and its current one.
    /// </summary>
    protected abstract double NextLR(int epoch, double baseLR, double currentLR);

    private protected static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    private protected static void RequirePositive(float value, string op, string what)
    {
        if (!(value > 0) || float.IsInfinity(value))
            throw new ArgumentException($"{op}: {what} must be positive, got {Format(value)}");
    }
}
