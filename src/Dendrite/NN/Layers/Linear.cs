using Dendrite.Tensors;

namespace Dendrite.NN.Layers;

/// <summary>
/// A fully connected layer, like <c>torch.nn.Linear</c>: y = x·Wᵀ + b for input [..., in] (any leading
/// dimensions) and output [..., out]. <see cref="Weight"/> is [out, in] and <see cref="Bias"/> [out].
/// Initialisation is PyTorch's: W ~ U(−1/√in, 1/√in) (Kaiming uniform with a = √5) and
/// b ~ U(−1/√in, 1/√in), drawn in that order from the generator (default <see cref="Generator.Default"/>).
/// </summary>
public sealed class Linear : Module
{
    /// <summary>A layer mapping <paramref name="inFeatures"/> to <paramref name="outFeatures"/> features, with a bias unless <paramref name="bias"/> is false.</summary>
    public Linear(int inFeatures, int outFeatures, bool bias = true, Generator? generator = null)
    {
        if (inFeatures < 1 || outFeatures < 1)
            throw new ArgumentException(
                $"Linear: in_features and out_features must be positive, got in_features={inFeatures}, out_features={outFeatures}");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Weight = RegisterParameter("weight", new Parameter(Tensor.Zeros(outFeatures, inFeatures)));
        if (bias) Bias = RegisterParameter("bias", new Parameter(Tensor.Zeros(outFeatures)));
        ResetParameters(generator);
    }

    /// <summary>Size of each input's last dimension.</summary>
    public int InFeatures { get; }

    /// <summary>Size of each output's last dimension.</summary>
    public int OutFeatures { get; }

    /// <summary>The weight matrix W, [out_features, in_features].</summary>
    public Parameter Weight { get; }

    /// <summary>The bias b, [out_features], or null for a layer built with bias: false.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public override Tensor Forward(Tensor input) => Functional.Linear(input, Weight, Bias);

    /// <summary>
    /// Draws <see cref="Weight"/> and <see cref="Bias"/> afresh with PyTorch's default (<see cref="Init.LayerDefault_"/>),
    /// like <c>reset_parameters()</c>; the constructor calls it with its generator.
    /// </summary>
    public void ResetParameters(Generator? generator = null) => Init.LayerDefault_(Weight, Bias, generator);

    /// <inheritdoc/>
    protected override string ExtraRepr() =>
        $"in_features={InFeatures}, out_features={OutFeatures}, bias={Repr.Bool(Bias is not null)}";
}
