using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// The function forms of the layers, activations and losses, like <c>torch.nn.functional</c>: each
/// computation lives here once, and every module in <see cref="Layers"/> and <see cref="Losses"/> is a thin
/// holder of parameters and settings whose <c>Forward</c> is one call into this class (as PyTorch's
/// <c>Linear.forward</c> is <c>F.linear</c>). Method names follow the Tensor methods and PyTorch's function
/// names in .NET casing (<c>Relu</c>, <c>CrossEntropy</c>, <c>BinaryCrossEntropyWithLogits</c>); the module
/// classes keep PyTorch's class spelling (<c>ReLU</c>, <c>CrossEntropyLoss</c>). Arguments have PyTorch's
/// names and defaults. Wrong shapes are reported with the op's name and the shapes involved.
/// </summary>
/// <remarks>
/// The class is split by family: <c>Functional.Layers.cs</c> (linear, maxout, dropout, batch norm, feature
/// map), <c>Functional.Conv.cs</c> (convolution and pooling), <c>Functional.Activations.cs</c>,
/// <c>Functional.Losses.cs</c> (element-wise losses and <see cref="Reduce(Tensor, Losses.Reduction)"/>) and
/// <c>Functional.ClassLosses.cs</c> (cross-entropy, NLL, multi-margin and their label checks).
/// </remarks>
public static partial class Functional
{
    private static Tensor NotNull(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input;
    }
}
