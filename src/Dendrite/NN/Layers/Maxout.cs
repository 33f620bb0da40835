using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// A maxout layer (Goodfellow et al., 2013): each of the <see cref="OutFeatures"/> units computes
/// <see cref="Pieces"/> affine functions of the input and outputs their maximum,
/// yₒ = maxₖ (x·Wₒₖᵀ + bₒₖ). Input [..., in], output [..., out]. The pieces are stored as one linear map:
/// <see cref="Weight"/> [out·pieces, in] and <see cref="Bias"/> [out·pieces], row o·pieces + k being piece
/// k of unit o, initialised like <see cref="Linear"/> (U(−1/√in, 1/√in)). The gradient reaches only the
/// winning piece of each unit (the first on a tie). PyTorch has no Maxout module.
/// </summary>
public sealed class Maxout : Module
{
    /// <summary>A maxout layer with <paramref name="pieces"/> linear pieces per output unit.</summary>
    public Maxout(int inFeatures, int outFeatures, int pieces, bool bias = true, Generator? generator = null)
    {
        if (inFeatures < 1 || outFeatures < 1 || pieces < 1)
            throw new ArgumentException(
                $"Maxout: in_features, out_features and pieces must be positive, got {inFeatures}, {outFeatures}, {pieces}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Pieces = pieces;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outFeatures * pieces, inFeatures)));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(outFeatures * pieces)));
        ResetParameters(generator);
    }

    /// <summary>Size of each input's last dimension.</summary>
    public int InFeatures { get; }

    /// <summary>Number of maxout units (size of each output's last dimension).</summary>
    public int OutFeatures { get; }

    /// <summary>Number of linear pieces each unit maximises over.</summary>
    public int Pieces { get; }

    /// <summary>All pieces' weights, [out_features·pieces, in_features].</summary>
    public Parameter Weight { get; }

    /// <summary>All pieces' biases, [out_features·pieces], or null without bias.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Maxout(input, Weight, Bias, Pieces);

    /// <summary>
    /// Draws <see cref="Weight"/> and <see cref="Bias"/> afresh as <see cref="Linear"/> does
    /// (<see cref="Init.LayerDefault_"/>); the constructor calls it with its generator.
    /// </summary>
    public void ResetParameters(Generator? generator = null) => Init.LayerDefault_(Weight, Bias, generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"in_features={InFeatures}, out_features={OutFeatures}, pieces={Pieces}, bias={Repr.Bool(Bias is not null)}";
}
