using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Batch normalisation over the channel axis (axis 1): y = (x − μ) / √(σ² + ε) · γ + β. In training μ and
/// σ² are the batch's (biased variance) and the running estimates move by <see cref="Momentum"/>:
/// r ← (1 − m)·r + m·batch, with the unbiased variance for running_var; in evaluation the running
/// estimates are used. γ starts at 1, β at 0, running mean at 0 and variance at 1. State-dict names are
/// PyTorch's: weight, bias, running_mean, running_var, num_batches_tracked.
/// </summary>
public abstract class BatchNormBase : Module
{
    private readonly int[] validRanks;

    protected BatchNormBase(int numFeatures, float eps, float momentum, bool affine, bool trackRunningStats, params int[] validRanks)
    {
        Check(GetType().Name, numFeatures, eps, momentum);
        this.validRanks = validRanks;
        NumFeatures = numFeatures;
        Eps = eps;
        Momentum = momentum;
        if (affine)
        {
            Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(numFeatures)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(numFeatures)));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Zeros(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0));
        }
        ResetParameters();
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? NumBatchesTracked { get; }

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    /// <summary>The layer, then max(·, 0) in the same pass with <paramref name="relu"/>: <see cref="Fusion"/>'s BatchNorm → ReLU.</summary>
    internal Tensor Forward(Tensor input, bool relu)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (!validRanks.Contains(input.Rank) || input.Shape[1] != NumFeatures)
            throw new ArgumentException(
                $"{GetType().Name}: expected input of rank {string.Join(" or ", validRanks)} with {NumFeatures} channels on axis 1, got {input.Shape}");
        // Without running statistics the batch's are used in evaluation too, as in PyTorch.
        var y = Functional.BatchNorm(input, RunningMean, RunningVar, Weight, Bias, training: Training || RunningMean is null, Momentum, Eps, relu);
        if (Training) NumBatchesTracked?.Add_(Tensor.Scalar(1));
        return y;
    }

    /// <summary>The constructor's checks, also run by <see cref="Serialization.ModelSpec"/> before it builds anything.</summary>
    internal static void Check(string name, int numFeatures, float eps, float momentum)
    {
        if (numFeatures < 1) throw new ArgumentException($"{name}: numFeatures must be positive, got {numFeatures}");
        if (!(eps > 0)) throw new ArgumentException($"{name}: eps must be positive, got {eps}");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{name}: momentum must be in [0, 1], got {momentum}");
    }

    /// <summary>Sets the running mean to 0, the running variance to 1 and the batch count to 0, like <c>reset_running_stats()</c>.</summary>
    public void ResetRunningStats()
    {
        if (RunningMean is null) return;
        Init.Zeros_(RunningMean);
        Init.Ones_(RunningVar!);
        Init.Zeros_(NumBatchesTracked!);
    }

    /// <summary>
    /// Resets the running statistics and sets γ (<see cref="Weight"/>) to 1 and β (<see cref="Bias"/>) to 0,
    /// like <c>reset_parameters()</c>; the constructor calls it.
    /// </summary>
    public void ResetParameters()
    {
        ResetRunningStats();
        if (Weight is null) return;
        Init.Ones_(Weight);
        Init.Zeros_(Bias!);
    }

    protected override string ExtraRepr() =>
        $"{NumFeatures}, eps={Eps}, momentum={Momentum}, affine={(Weight is null ? "False" : "True")}, track_running_stats={(RunningMean is null ? "False" : "True")}";
}

/// <summary>Batch normalisation of [N, C] or [N, C, L]; like <c>torch.nn.BatchNorm1d</c>. See <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm1d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats, 2, 3);

/// <summary>Batch normalisation of [N, C, H, W]; like <c>torch.nn.BatchNorm2d</c>. See <see cref="BatchNormBase"/>.</summary>
public sealed class BatchNorm2d(int numFeatures, float eps = 1e-5f, float momentum = 0.1f, bool affine = true, bool trackRunningStats = true)
    : BatchNormBase(numFeatures, eps, momentum, affine, trackRunningStats, 4);
