using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

public partial class Tensor
{
    /// <summary>
    /// Matrix product with <c>torch.matmul</c>'s rules: 1-d·1-d is a dot product, a 1-d argument is treated
    /// as a row (left) or column (right) vector and that dimension removed afterwards, and leading (batch)
    /// dimensions broadcast. [..., m, k] · [..., k, n] → [..., m, n].
    /// </summary>
    public static Tensor MatMul(Tensor a, Tensor b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Rank == 0 || b.Rank == 0)
            throw new ArgumentException($"MatMul: both arguments need at least one dimension, got {a.Shape} and {b.Shape}");
        int k = a.Shape[-1], k2 = b.Shape[b.Rank == 1 ? 0 : -2];
        if (k != k2) throw new ArgumentException($"MatMul: cannot multiply {a.Shape} by {b.Shape}");

        var a2 = a.Rank == 1 ? a.Unsqueeze(0) : a;
        var b2 = b.Rank == 1 ? b.Unsqueeze(1) : b;
        var result = MatMul2(a2, b2);
        if (a.Rank == 1) result = result.Squeeze(-2);
        if (b.Rank == 1) result = result.Squeeze(-1);
        return result;
    }

    /// <summary>This tensor times <paramref name="other"/>; see <see cref="MatMul(Tensor, Tensor)"/>.</summary>
    public Tensor MatMul(Tensor other) => MatMul(this, other);

    // Both operands have rank ≥ 2 and agreeing inner sizes.
    private static Tensor MatMul2(Tensor a, Tensor b)
    {
        int m = a.Shape[-2], k = a.Shape[-1], n = b.Shape[-1];
        var batchA = Shape.Of(a.ShapeSpan[..^2]);
        var batchB = Shape.Of(b.ShapeSpan[..^2]);
        var batch = batchA == batchB ? batchA : Shape.Broadcast(batchA, batchB, "MatMul");
        var result = Make(Shape.Of([.. batch, m, n]));
        if (result.Numel == 0 || k == 0) // nothing to multiply: an empty result, or sums over nothing (zeros)
            return ShouldRecord(a, b) ? result.WithGradFn(new MatMulBackward(a, b)) : result;

        var (aMat, transA, lda) = MatrixOperand(a);
        var (bMat, transB, ldb) = MatrixOperand(b);
        var aBatchStrides = BatchStrides(aMat, batch);
        var bBatchStrides = BatchStrides(bMat, batch);
        int batches = batch.Numel;
        Span<int> coord = stackalloc int[batch.Rank];
        coord.Clear();
        for (int i = 0; i < batches; i++)
        {
            int offA = 0, offB = 0;
            for (int d = 0; d < batch.Rank; d++)
            {
                offA += coord[d] * aBatchStrides[d];
                offB += coord[d] * bBatchStrides[d];
            }
            Gemm.Sgemm(transA, transB, m, n, k, 1f, aMat.Data.AsSpan(aMat.Offset + offA), lda,
                bMat.Data.AsSpan(bMat.Offset + offB), ldb, 0f, result.Data.AsSpan(i * m * n, m * n), n);
            for (int d = batch.Rank - 1; d >= 0; d--)
            {
                if (++coord[d] < batch[d]) break;
                coord[d] = 0;
            }
        }
        return ShouldRecord(a, b) ? result.WithGradFn(new MatMulBackward(a, b)) : result;
    }

    /// <summary>
    /// How GEMM can read the last two dimensions in place: row-major (trans = false, ld = row stride) or
    /// column-major, i.e. a transposed view (trans = true, ld = column stride); otherwise a contiguous copy.
    /// </summary>
    private static (Tensor Matrix, bool Trans, int Ld) MatrixOperand(Tensor t)
    {
        int rows = t.Shape[-2], cols = t.Shape[-1];
        int rowStride = t.StridesArray[^2], colStride = t.StridesArray[^1];
        if ((colStride == 1 || cols == 1) && (rows == 1 || rowStride >= cols))
            return (t, false, rows == 1 ? Math.Max(cols, 1) : rowStride);
        if ((rowStride == 1 || rows == 1) && (cols == 1 || colStride >= rows))
            return (t, true, cols == 1 ? Math.Max(rows, 1) : colStride);
        var copy = t.ContiguousNoGrad();
        return (copy, false, Math.Max(cols, 1));
    }

    private static int[] BatchStrides(Tensor t, Shape batch)
    {
        var strides = new int[batch.Rank];
        int lead = batch.Rank - (t.Rank - 2);
        for (int d = 0; d < t.Rank - 2; d++)
            strides[d + lead] = t.Shape[d] == 1 ? 0 : t.StridesArray[d];
        return strides;
    }

    /// <summary>
    /// y = x·Wᵀ + b for x [N, in], W [out, in], b [out] or null: one GEMM that reads W in place and adds
    /// the bias in its epilogue. The fused backward (<see cref="LinearBackward"/>) writes dW in W's own
    /// layout, so neither pass makes transposed copies.
    /// </summary>
    internal static Tensor Linear(Tensor input, Tensor weight, Tensor? bias) => Linear(input, weight, bias, relu: false);

    /// <summary>
    /// <see cref="Linear(Tensor, Tensor, Tensor?)"/>, with ReLU applied in the GEMM's epilogue when
    /// <paramref name="relu"/> is set; there is no fused backward, so the caller uses that only when no
    /// gradient is recorded.
    /// </summary>
    internal static Tensor Linear(Tensor input, Tensor weight, Tensor? bias, bool relu)
    {
        int n = input.Shape[0], inFeatures = input.Shape[1], outFeatures = weight.Shape[0];
        bool record = ShouldRecord(input, weight, bias);
        if (record && relu) throw new InvalidOperationException("Linear: a fused ReLU has no backward; apply Relu() separately");
        var x = input.ContiguousNoGrad();
        var w = weight.ContiguousNoGrad();
        var result = Uninitialized(Shape.Of([n, outFeatures]));
        if (n > 0)
        {
            ReadOnlySpan<float> b = bias is null ? default : bias.ContiguousNoGrad().Span[..outFeatures];
            // Without a graph the weights are likely the same next call (inference): Wᵀ is packed once and kept.
            var packed = !record && Gemm.TakesPackedPath(false, true, n, outFeatures, inFeatures)
                ? PackedWeights.Transposed(w, outFeatures, inFeatures) : null;
            if (packed is not null)
                Gemm.Sgemm(false, n, outFeatures, inFeatures, 1f, x.Span, inFeatures, packed, 0f, result.Data, outFeatures, b, relu);
            else
                Gemm.Sgemm(false, true, n, outFeatures, inFeatures, 1f, x.Span, inFeatures, w.Span, inFeatures,
                    0f, result.Data, outFeatures, b, relu);
        }
        return record ? result.WithGradFn(LinearBackward.Create(input, weight, bias)) : result;
    }
}
