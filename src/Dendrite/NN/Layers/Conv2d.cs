using Dendrite.Autograd;
using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// 2-d convolution over [N, C_in, H, W] (or unbatched [C_in, H, W]) → [N, C_out, H_out, W_out] with
/// H_out = ⌊(H + 2·pad − dilation·(k − 1) − 1) / stride⌋ + 1. Weight [C_out, C_in/groups, kh, kw] and
/// bias [C_out] start as PyTorch's default: U(−1/√fan_in, 1/√fan_in) with fan_in = C_in/groups·kh·kw.
/// Computed as im2col + GEMM; like <c>torch.nn.Conv2d</c>.
/// </summary>
public sealed class Conv2d : Module
{
    private readonly Kernels.Window2d window;

    public Conv2d(int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Padding2d padding = default,
        Size2d? dilation = null, int groups = 1, bool bias = true, Generator? generator = null)
    {
        window = Geometry(inChannels, outChannels, kernelSize, stride ?? 1, padding, dilation ?? 1, groups);
        InChannels = inChannels;
        OutChannels = outChannels;
        KernelSize = kernelSize;
        Stride = stride ?? 1;
        Padding = padding;
        Dilation = dilation ?? 1;
        Groups = groups;

        // PyTorch's default: Kaiming uniform with a = √5 for the weight, U(±1/√fan_in) for the bias.
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
        Init.KaimingUniform_(Weight, a: MathF.Sqrt(5f), generator: generator);
        if (bias)
        {
            Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(outChannels)));
            float bound = 1f / MathF.Sqrt(inChannels / groups * kernelSize.H * kernelSize.W);
            Init.Uniform_(Bias, -bound, bound, generator);
        }
    }

    public int InChannels { get; }
    public int OutChannels { get; }
    public Size2d KernelSize { get; }
    public Size2d Stride { get; }
    public Padding2d Padding { get; }
    public Size2d Dilation { get; }
    public int Groups { get; }

    /// <summary>The zero padding on each side as applied, <see cref="Padding2d.Same"/> resolved (the extra row or column of an odd total goes to the bottom/right).</summary>
    public Pads2d Pads => Pads2d.Of(window);

    /// <summary>[C_out, C_in/groups, kh, kw].</summary>
    public Parameter Weight { get; }

    /// <summary>[C_out], or null without bias.</summary>
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input) => Forward(input, relu: false);

    /// <summary>
    /// This layer followed by ReLU; <see cref="Sequential"/> calls it when no gradient is recorded, so the
    /// ReLU costs no extra pass over the output (with a graph it is the two ops, as a backward pass needs).
    /// </summary>
    internal Tensor ForwardRelu(Tensor input)
    {
        bool record = GradMode.IsEnabled && (input.RequiresGrad || Weight.RequiresGrad || (Bias?.RequiresGrad ?? false));
        return record ? Forward(input).Relu() : Forward(input, relu: true);
    }

    /// <summary>
    /// This layer, ReLU and <paramref name="pool"/> in one op, which <see cref="Sequential"/> uses when no
    /// gradient is recorded: the unpooled map is pooled while it is in cache instead of being written out
    /// and read back. Null when a graph would be recorded (the caller then runs the layers one by one).
    /// </summary>
    internal Tensor? ForwardReluMaxPool(Tensor input, MaxPool2d pool)
    {
        bool record = GradMode.IsEnabled && (input.RequiresGrad || Weight.RequiresGrad || (Bias?.RequiresGrad ?? false));
        return record ? null : Forward(input, relu: true, pool.Window);
    }

    private Tensor Forward(Tensor input, bool relu, Kernels.Window2d? maxPool = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 3) return Forward(input.Unsqueeze(0), relu, maxPool).Squeeze(0);
        if (input.Rank != 4 || input.Shape[1] != InChannels)
            throw new ArgumentException($"Conv2d: expected input [N,{InChannels},H,W] or [{InChannels},H,W], got {input.Shape}");
        return Tensor.Conv2d(input, Weight, Bias, window, Groups, relu, maxPool);
    }

    /// <summary>
    /// The constructor's checks of its arguments, also run by <see cref="Serialization.ModelSpec"/> before it
    /// builds anything; returns the resolved window.
    /// </summary>
    internal static Kernels.Window2d Geometry(int inChannels, int outChannels, Size2d kernelSize, Size2d stride, Padding2d padding,
        Size2d dilation, int groups)
    {
        if (inChannels < 1 || outChannels < 1)
            throw new ArgumentException($"Conv2d: channel counts must be positive, got {inChannels} → {outChannels}");
        if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
            throw new ArgumentException(
                $"Conv2d: groups={groups} must divide both the {inChannels} input channels and the {outChannels} output channels");
        return padding.Window(kernelSize, stride, dilation, "Conv2d");
    }

    protected override string ExtraRepr() =>
        $"{InChannels}, {OutChannels}, kernel_size={KernelSize}, stride={Stride}" +
        (Padding == default ? "" : $", padding={Padding}") + (Dilation == new Size2d(1, 1) ? "" : $", dilation={Dilation}") +
        (Groups == 1 ? "" : $", groups={Groups}") + (Bias is null ? ", bias=False" : "");
}
