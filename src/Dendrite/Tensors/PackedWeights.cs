using Dendrite.Kernels;

namespace Dendrite.Tensors;

/// <summary>
/// A weight matrix packed once for the GEMM and reused while it is unchanged: at inference a Linear layer
/// multiplies by the same W every call, and packing Wᵀ into micro-panels is otherwise redone each time
/// (about a fifth of the work of a batch-256 MLP layer; ONNX Runtime likewise packs weights once).
/// </summary>
/// <remarks>
/// Kept on the weight's <see cref="Storage"/> and keyed by its version counter, which every in-place write
/// bumps (optimizer steps, <c>CopyFrom_</c>, <c>LoadStateDict</c>), so a changed weight is packed afresh.
/// Only memory outside the buffer pool qualifies (parameters and other long-lived tensors), and only on its
/// second use at the same version, so a weight used once costs no packed copy. Packed or not, the product
/// has the same bits.
/// </remarks>
internal sealed class PackedWeights
{
    private readonly int version, offset, rows, cols;
    private readonly GemmIsa isa;
    private Gemm.PackedB? packed;

    private PackedWeights(int version, int offset, int rows, int cols)
    {
        this.version = version;
        this.offset = offset;
        this.rows = rows;
        this.cols = cols;
        isa = Gemm.Isa;
    }

    /// <summary>
    /// Wᵀ packed for x·Wᵀ, for a contiguous W [rows, cols]: null on the first sighting of this W (or of a new
    /// version of it), and for memory from the pool.
    /// </summary>
    public static Gemm.PackedB? Transposed(Tensor weight, int rows, int cols)
    {
        var storage = weight.Storage;
        if (storage.Pooled || !weight.IsContiguous) return null;
        if (storage.KernelCache is PackedWeights c && c.version == storage.Version && c.offset == weight.Offset
            && c.rows == rows && c.cols == cols && c.isa == Gemm.Isa)
            return c.packed ??= Gemm.PackWeights(true, cols, rows, weight.Span, cols);
        storage.KernelCache = new PackedWeights(storage.Version, weight.Offset, rows, cols);
        return null;
    }
}
