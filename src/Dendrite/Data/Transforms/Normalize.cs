using Dendrite.Tensors;

namespace Dendrite.Data.Transforms;

/// <summary>
/// Per-channel standardisation, like <c>torchvision.transforms.Normalize</c>: out[c] = (in[c] − mean[c]) / std[c]
/// on an input [C, ...]. One mean and std apply to every channel. MNIST's usual values are
/// mean 0.1307, std 0.3081.
/// </summary>
public sealed class Normalize : ITransform
{
    private readonly float[] mean, std;

    /// <summary>A normalisation with one (mean, std) per channel, or one pair for all channels; every std must be positive.</summary>
    public Normalize(float[] mean, float[] std)
    {
        ArgumentNullException.ThrowIfNull(mean);
        ArgumentNullException.ThrowIfNull(std);
        if (mean.Length == 0 || mean.Length != std.Length)
            throw new ArgumentException($"Normalize: need as many means as stds (at least one), got {mean.Length} and {std.Length}");
        foreach (float s in std)
            if (!(s > 0) || float.IsInfinity(s))
                throw new ArgumentException($"Normalize: every std must be positive and finite, got [{string.Join(", ", std)}]", nameof(std));
        this.mean = [.. mean];
        this.std = [.. std];
    }

    /// <summary>The per-channel means.</summary>
    public IReadOnlyList<float> Mean => mean;

    /// <summary>The per-channel standard deviations.</summary>
    public IReadOnlyList<float> Std => std;

    /// <inheritdoc />
    public Tensor Apply(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.Rank == 0)
            throw new ArgumentException($"Normalize: expected an input [C, ...], got a scalar");
        int c = input.Shape[0];
        if (mean.Length != 1 && mean.Length != c)
            throw new ArgumentException($"Normalize: {mean.Length} means for an input with {c} channels (shape {input.Shape})");
        var data = input.ToArray();
        int per = data.Length / Math.Max(c, 1);
        for (int ch = 0; ch < c; ch++)
        {
            float m = mean[mean.Length == 1 ? 0 : ch], s = std[std.Length == 1 ? 0 : ch];
            for (int i = ch * per; i < (ch + 1) * per; i++) data[i] = (data[i] - m) / s;
        }
        return Tensor.FromArray(data, input.Shape.ToArray());
    }
}
