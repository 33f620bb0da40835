using Dendrite.Tensors;

namespace Dendrite.NN.Losses;

/// <summary>
/// Weight penalties to add to a loss, as differentiable scalars: <c>loss + λ·Regularization.L2(model.Parameters())</c>.
/// (An L2 penalty λ·Σw² is what optimizers' weight decay applies directly: decay = 2λ for plain SGD.)
/// </summary>
public static class Regularization
{
    /// <summary>The L1 penalty Σ|w| over every element of every tensor (0 for none). Pushes weights to exactly zero (sparsity).</summary>
    public static Tensor L1(IEnumerable<Tensor> parameters) => Total(parameters, static p => p.Abs().Sum());

    /// <summary>The L2 penalty Σw² over every element of every tensor (0 for none). Shrinks large weights.</summary>
    public static Tensor L2(IEnumerable<Tensor> parameters) => Total(parameters, static p => p.Square().Sum());

    private static Tensor Total(IEnumerable<Tensor> parameters, Func<Tensor, Tensor> penalty)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Tensor? total = null;
        foreach (var p in parameters)
        {
            ArgumentNullException.ThrowIfNull(p, nameof(parameters));
            var term = penalty(p);
            total = total is null ? term : total + term;
        }
        return total ?? Tensor.Scalar(0f);
    }
}
