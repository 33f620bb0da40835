using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// Merges dimensions <see cref="StartAxis"/>..<see cref="EndAxis"/> into one, like <c>torch.nn.Flatten</c>
/// (defaults 1 and −1 keep the batch dimension: [N, C, H, W] → [N, C·H·W]). A view when the input is
/// contiguous.
/// </summary>
public sealed class Flatten(int startAxis = 1, int endAxis = -1) : Module
{
    /// <summary>First dimension merged (PyTorch's <c>start_dim</c>).</summary>
    public int StartAxis { get; } = startAxis;

    /// <summary>Last dimension merged, inclusive (PyTorch's <c>end_dim</c>).</summary>
    public int EndAxis { get; } = endAxis;

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Flatten(StartAxis, EndAxis);
    }

    /// <inheritdoc/>
    protected override string ExtraRepr() => $"start_dim={Repr.Number(StartAxis)}, end_dim={Repr.Number(EndAxis)}";
}
