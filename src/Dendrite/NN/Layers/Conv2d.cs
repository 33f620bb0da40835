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

        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outChannels, inChannels / groups, kernelSize.H, kernelSize.W)));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(outChannels)));
        ResetParameters(generator);
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

    internal Kernels.Window2d Window => window;

    /// <summary>[C_out, C_in/groups, kh, kw].</summary>
    public Parameter Weight { get; }

    /// <summary>[C_out], or null without bias.</summary>
    public Parameter? Bias { get; }

    public override Tensor Forward(Tensor input) => Functional.Conv2d(input, Weight, Bias, window, Groups);

    /// <summary>
    /// Draws <see cref="Weight"/> and <see cref="Bias"/> afresh with PyTorch's default (<see cref="Init.LayerDefault_"/>),
    /// like <c>reset_parameters()</c>; the constructor calls it with its generator.
    /// </summary>
    public void ResetParameters(Generator? generator = null) => Init.LayerDefault_(Weight, Bias, generator);

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
