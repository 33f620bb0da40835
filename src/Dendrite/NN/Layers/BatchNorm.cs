using Dendrite.Autograd;
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
            Weight = RegisterParameter("weight", new Parameter(Tensor.Ones(numFeatures)));
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(numFeatures)));
        }
        if (trackRunningStats)
        {
            RunningMean = RegisterBuffer("running_mean", Tensor.Zeros(numFeatures));
            RunningVar = RegisterBuffer("running_var", Tensor.Ones(numFeatures));
            NumBatchesTracked = RegisterBuffer("num_batches_tracked", Tensor.Scalar(0));
        }
    }

    public int NumFeatures { get; }
    public float Eps { get; }
    public float Momentum { get; }
    public Parameter? Weight { get; }
    public Parameter? Bias { get; }
    public Tensor? RunningMean { get; }
    public Tensor? RunningVar { get; }
    public Tensor? NumBatchesTracked { get; }

    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        string name = GetType().Name;
        if (!validRanks.Contains(input.Rank) || input.Shape[1] != NumFeatures)
            throw new ArgumentException(
                $"{name}: expected input of rank {string.Join(" or ", validRanks)} with {NumFeatures} channels on axis 1, got {input.Shape}");
        var axes = Enumerable.Range(0, input.Rank).Where(a => a != 1).ToArray();
        var statShape = Enumerable.Range(0, input.Rank).Select(a => a == 1 ? NumFeatures : 1).ToArray();

        Tensor mean, variance;
        if (Training || RunningMean is null)
        {
            int count = input.Numel / NumFeatures;
            if (count < 2 && Training)
                throw new ArgumentException($"{name}: expected more than 1 value per channel when training, got input {input.Shape}");
            mean = input.Mean(axes, keepDim: true);
            variance = (input - mean).Square().Mean(axes, keepDim: true);
            if (Training && RunningMean is not null)
            {
                using var noGrad = GradMode.NoGrad();
                RunningMean.Mul_(1 - Momentum).Add_(mean.Reshape(NumFeatures), Momentum);
                RunningVar!.Mul_(1 - Momentum).Add_(variance.Reshape(NumFeatures) * (count / (float)(count - 1)), Momentum);
                NumBatchesTracked!.Add_(Tensor.Scalar(1));
            }
        }
        else
        {
            mean = RunningMean.Reshape(statShape);
            variance = RunningVar!.Reshape(statShape);
        }
        var y = (input - mean) / (variance + Eps).Sqrt();
        if (Weight is not null) y = y * Weight.Reshape(statShape) + Bias!.Reshape(statShape);
        return y;
    }

    /// <summary>The constructor's checks, also run by <see cref="Serialization.ModelSpec"/> before it builds anything.</summary>
    internal static void Check(string name, int numFeatures, float eps, float momentum)
    {
        if (numFeatures < 1) throw new ArgumentException($"{name}: numFeatures must be positive, got {numFeatures}");
        if (!(eps > 0)) throw new ArgumentException($"{name}: eps must be positive, got {eps}");
        if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentException($"{name}: momentum must be in [0, 1], got {momentum}");
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
