using System.Runtime.CompilerServices;
namespace Dendrite.Kernels;

/// <summary>
/// Gather and its adjoint, scatter-add, over strided operands. <c>index</c> is contiguous with the
/// output's shape and holds, for each output element, the coordinate to use along <c>axis</c>.
/// </summary>
internal static class Indexing
{
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
