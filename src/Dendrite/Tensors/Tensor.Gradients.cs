using System.Runtime.CompilerServices;

namespace Dendrite.Tensors;

// How a leaf keeps its gradient: the engine adds into it, a GEMM may write it in place, and ZeroGrad only
// marks it, deferring the memset to whoever touches it next.
public partial class Tensor
{
    // Set by ZeroGrad: the gradient reads as zero, but the memset is deferred. The next backward pass
    // writes its gradient over the old values instead of adding to zeros (a full pass over every
    // parameter saved each step); anything else that reads Grad first gets it zero-filled.
    private bool gradZeroPending;

    /// <summary>
    /// Makes <see cref="Grad"/> read as zero without touching its memory until it is next used (in place,
    /// so its buffer is reused); nothing happens when there is no gradient.
    /// </summary>
    public void ZeroGrad() => gradZeroPending = grad is not null;

    /// <summary>
    /// Keeps this non-leaf tensor's gradient in <see cref="Grad"/> after <see cref="Backward(bool)"/> (accumulated
    /// over passes, like a leaf's), as PyTorch's <c>retain_grad</c>; normally only leaves keep one. Nothing to do
    /// for a leaf that requires a gradient; an error for a tensor that does not require one.
    /// </summary>
    public void RetainGrad()
    {
        if (!requiresGrad)
            throw new InvalidOperationException(
                $"RetainGrad: this tensor (shape {Shape}) does not require a gradient, so there is none to keep; " +
                "set RequiresGrad on the inputs it is computed from");
        GradFn?.Retain(this);
    }

    /// <summary>True for a non-leaf tensor on which <see cref="RetainGrad"/> was called.</summary>
    public bool RetainsGrad => GradFn is not null && GradFn.Retains(this);

    /// <summary>Zero-fills the gradient now if a <see cref="ZeroGrad"/> is pending (Grad's getter).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ApplyPendingZeroGrad()
    {
        if (gradZeroPending)
        {
            gradZeroPending = false;
            grad!.Fill_(0f);
        }
    }

    /// <summary>Grad's setter.</summary>
    private void SetGrad(Tensor? value)
    {
        // A gradient outlives the step; if it was made inside a scope, that scope must not reuse it.
        if (value is not null) TensorScope.Escape(value);
        grad = value;
        gradZeroPending = false;
    }

    /// <summary>
    /// For a node whose gradient for this tensor comes straight out of a GEMM: when this is a leaf that wants
    /// a gradient, its gradient buffer, to be written with the returned β (0: overwrite, on first use or after
    /// <see cref="ZeroGrad"/>; 1: add to what is there). The product then lands in <see cref="Grad"/> without a
    /// temporary and a copy (PyTorch's AccumulateGrad takes over the incoming buffer for the same reason), and
    /// the node hands the engine no gradient for this input. Null when the engine must route the gradient (not
    /// a leaf, or a gradient set by hand with another layout).
    /// </summary>
    internal Tensor? LeafGradTarget(out float beta)
    {
        beta = 1f;
        if (GradFn is not null || !requiresGrad) return null;
        if (grad is null)
        {
            // Fully written by the β = 0 product; a leaf's gradient outlives the step, so no scope owns it.
            grad = TensorScope.Untracked(() => Uninitialized(Shape));
            beta = 0f;
            return grad;
        }
        if (!grad.IsContiguous || grad.Shape != Shape) return null;
        if (gradZeroPending)
        {
            gradZeroPending = false;
            beta = 0f;
        }
        return grad;
    }

    /// <summary>Used by the engine: Grad += g, where a pending zero turns the sum into a copy.</summary>
    internal void AccumulateGrad(Tensor g)
    {
        if (grad is null)
        {
            // A leaf's gradient outlives the step (optimizers read it), so it never belongs to a TensorScope.
            grad = TensorScope.Untracked(g.Clone);
        }
        else if (gradZeroPending)
        {
            gradZeroPending = false;
            grad.CopyNoCheck(g);
        }
        else
        {
            grad.AddInPlace(g);
        }
    }
}
