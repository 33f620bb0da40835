using Dendrite.Tensors;

namespace Dendrite.Autograd;

/// <summary>
/// What one application of a <see cref="Function"/> keeps between its forward and backward pass, like
/// PyTorch's <c>ctx</c>: tensors saved with <see cref="SaveForBackward"/>, other values in
/// <see cref="Values"/>, and which inputs need a gradient.
/// </summary>
public sealed class FunctionContext
{
    private readonly bool[] needsInputGrad;
    private readonly string function;
    private Tensor[] saved = [];
    private int[] savedVersions = [];
    private Dictionary<string, object?>? values;

    internal FunctionContext(Tensor[] inputs, bool record, string function)
    {
        needsInputGrad = new bool[inputs.Length];
        for (int i = 0; i < inputs.Length; i++) needsInputGrad[i] = record && inputs[i].RequiresGrad;
        this.function = function;
    }

    /// <summary>
    /// True when input <paramref name="index"/> wants a gradient (grad mode was on and it requires one), like
    /// PyTorch's <c>ctx.needs_input_grad</c>: <see cref="Function.Backward"/> may return null for the others.
    /// </summary>
    public bool NeedsInputGrad(int index) => needsInputGrad[index];

    /// <summary>
    /// Keeps <paramref name="tensors"/> (inputs, the output or intermediates) for the backward pass, replacing
    /// any saved before. They must not be changed in place afterwards: <see cref="SavedTensors"/> checks.
    /// </summary>
    public void SaveForBackward(params Tensor[] tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        saved = (Tensor[])tensors.Clone();
        savedVersions = new int[saved.Length];
        for (int i = 0; i < saved.Length; i++)
        {
            ArgumentNullException.ThrowIfNull(saved[i], nameof(tensors));
            savedVersions[i] = saved[i].Storage.Version;
        }
    }

    /// <summary>The tensors given to <see cref="SaveForBackward"/>, in order; throws if one was changed in place since.</summary>
    public IReadOnlyList<Tensor> SavedTensors
    {
        get
        {
            for (int i = 0; i < saved.Length; i++)
                if (saved[i].Storage.Version != savedVersions[i])
                    throw new InvalidOperationException(
                        $"{function}Backward: saved tensor {i} (shape {saved[i].Shape}) was modified in place after it was saved, " +
                        "so the gradient would be wrong; change a Clone() instead");
            return saved;
        }
    }

    /// <summary>Values other than tensors that the backward pass needs (a shape, a count), by name, like attributes set on PyTorch's <c>ctx</c>.</summary>
    public IDictionary<string, object?> Values => values ??= [];
}
