using System.Runtime.CompilerServices;
namespace Dendrite.Kernels;

/// <summary>
/// Gather and its adjoint, scatter-add, over strided operands. <c>index</c> is contiguous with the
/// output's shape and holds, for each output element, the coordinate to use along <c>axis</c>.
/// </summary>
internal static unsafe class Indexing
{
    // A batch of rows is copied in parallel from this many floats on (a batch of 64 MNIST images, 200 KB):
    // the rows are scattered over a data set larger than the caches, so a copy waits on memory and two
    // cores keep twice as many loads in flight. Below it, handing work over costs more than it saves.
    private const int ParallelMinFloats = 32_768;
    // Rows per task: the split depends on the sizes alone, and each row is a plain copy either way.
    private const int RowsPerTask = 16;

    /// <summary>dst row i = src row indices[i], for rows of <paramref name="rowLength"/> floats (a data loader's batch).</summary>
    public static void TakeRows(ReadOnlySpan<float> src, int rowLength, ReadOnlySpan<int> indices, Span<float> dst)
    {
        int rows = indices.Length;
        if (dst.Length < (long)rows * rowLength)
            throw new ArgumentException($"TakeRows: {rows} rows of {rowLength} need {(long)rows * rowLength} floats, the destination has {dst.Length}");
        for (int i = 0; i < rows; i++)
            if (indices[i] < 0 || ((long)indices[i] + 1) * rowLength > src.Length)
                throw new ArgumentOutOfRangeException(nameof(indices), $"TakeRows: row {indices[i]} is outside a source of {src.Length / Math.Max(rowLength, 1)} rows");
        if ((long)rows * rowLength < ParallelMinFloats)
        {
            for (int i = 0; i < rows; i++) src.Slice(indices[i] * rowLength, rowLength).CopyTo(dst.Slice(i * rowLength, rowLength));
            return;
        }
        fixed (float* ps = src, pd = dst)
        fixed (int* pi = indices)
        {
            var work = new RowCopy { Src = ps, Dst = pd, Indices = pi, RowLength = rowLength };
            WorkerPool.ForChunks(rows, RowsPerTask, ref work);
        }
    }

    private struct RowCopy : IRangeWork
    {
        public float* Src, Dst;
        public int* Indices;
        public int RowLength;

        public readonly void Execute(int start, int count)
        {
            for (int i = start; i < start + count; i++)
                new ReadOnlySpan<float>(Src + (nint)Indices[i] * RowLength, RowLength).CopyTo(new Span<float>(Dst + (nint)i * RowLength, RowLength));
        }
    }

    /// <summary>dst[..., i, ...] = src[..., index[..., i, ...], ...] with the replaced coordinate on <paramref name="axis"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Gather(ReadOnlySpan<int> shape, int axis, ReadOnlySpan<int> index,
        ReadOnlySpan<float> src, ReadOnlySpan<int> srcStrides, Span<float> dst)
    {
        Span<int> coord = stackalloc int[shape.Length];
        coord.Clear();
        for (int flat = 0; flat < index.Length; flat++)
        {
            int offset = 0;
            for (int d = 0; d < shape.Length; d++)
                offset += (d == axis ? index[flat] : coord[d]) * srcStrides[d];
            dst[flat] = src[offset];
            Advance(coord, shape);
        }
    }

    /// <summary>dst[..., index[..., i, ...], ...] += values[..., i, ...]: the gradient of <see cref="Gather"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void ScatterAdd(ReadOnlySpan<int> shape, int axis, ReadOnlySpan<int> index,
        ReadOnlySpan<float> values, ReadOnlySpan<int> valueStrides, Span<float> dst, ReadOnlySpan<int> dstStrides)
    {
        Span<int> coord = stackalloc int[shape.Length];
        coord.Clear();
        for (int flat = 0; flat < index.Length; flat++)
        {
            int src = 0, target = 0;
            for (int d = 0; d < shape.Length; d++)
            {
                src += coord[d] * valueStrides[d];
                target += (d == axis ? index[flat] : coord[d]) * dstStrides[d];
            }
            dst[target] += values[src];
            Advance(coord, shape);
        }
    }

    private static void Advance(Span<int> coord, ReadOnlySpan<int> shape)
    {
        for (int d = shape.Length - 1; d >= 0; d--)
        {
            if (++coord[d] < shape[d]) return;
            coord[d] = 0;
        }
    }
}
