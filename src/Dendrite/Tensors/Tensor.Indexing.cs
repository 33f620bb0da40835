using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Joining tensors and picking elements by index. Dendrite's tensors are float32 only, so index tensors
// hold whole numbers as floats (exact up to 2^24); every index is checked before use.
public partial class Tensor
{
    /// <summary>Joins tensors along an existing axis; all other sizes must agree.</summary>
    public static Tensor Cat(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Cat: needs at least one tensor");
        var first = tensors[0];
        if (first.Rank == 0) throw new ArgumentException("Cat: cannot concatenate 0-d tensors; use Stack");
        int a = Shape.NormalizeAxis(axis, first.Rank, "Cat");
        int total = 0;
        foreach (var t in tensors)
        {
            bool fits = t.Rank == first.Rank;
            for (int d = 0; fits && d < t.Rank; d++) fits = d == a || t.Shape[d] == first.Shape[d];
            if (!fits)
                throw new ArgumentException($"Cat: shapes {first.Shape} and {t.Shape} differ outside axis {axis}");
            total += t.Shape[a];
        }
        var dims = first.Shape.ToArray();
        dims[a] = total;
        var result = Make(Shape.Of(dims));
        int offset = 0;
        var sizes = new int[tensors.Count];
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            sizes[i] = t.Shape[a];
            var target = result.Narrow(a, offset, sizes[i]);
            Elementwise.Copy(t.ShapeSpan, t.Span, t.StridesArray, target.Span, target.StridesArray);
            offset += sizes[i];
        }
        return ShouldRecord(tensors) ? result.WithGradFn(new CatBackward([.. tensors], a, sizes)) : result;
    }

    /// <summary>Joins tensors of equal shape along a new axis.</summary>
    public static Tensor Stack(IReadOnlyList<Tensor> tensors, int axis = 0)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        if (tensors.Count == 0) throw new ArgumentException("Stack: needs at least one tensor");
        foreach (var t in tensors)
            if (t.Shape != tensors[0].Shape)
                throw new ArgumentException($"Stack: all tensors must have the same shape, got {tensors[0].Shape} and {t.Shape}");
        int a = Shape.NormalizeAxis(axis, tensors[0].Rank + 1, "Stack");
        return Cat(tensors.Select(t => t.Unsqueeze(a)).ToList(), a);
    }

    /// <summary>
    /// out[i][j][k] = this[i][index[i][j][k]][k] for axis 1 (and likewise for any axis), like
    /// <c>torch.gather</c>. <paramref name="index"/> has this tensor's rank and sizes no larger than its own
    /// off the axis; the output has the index's shape.
    /// </summary>
    public Tensor Gather(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        int a = Shape.NormalizeAxis(axis, Rank, "Gather");
        if (index.Rank != Rank)
            throw new ArgumentException($"Gather: index of shape {index.Shape} must have the same rank as the input {Shape}");
        for (int d = 0; d < Rank; d++)
            if (d != a && index.Shape[d] > Shape[d])
                throw new ArgumentException($"Gather: index of shape {index.Shape} is larger than the input {Shape} at dimension {d}");
        var idx = ToIndices(index, Shape[a], "Gather", axis);
        var result = Make(index.Shape);
        Indexing.Gather(index.ShapeSpan, a, idx, Span, StridesArray, result.Data);
        return ShouldRecord(this) ? result.WithGradFn(new GatherBackward(this, a, idx, index.Shape)) : result;
    }

    /// <summary>The slices at the given positions along <paramref name="axis"/> (<paramref name="index"/> is 1-d), like <c>torch.index_select</c>.</summary>
    public Tensor IndexSelect(int axis, Tensor index)
    {
        ArgumentNullException.ThrowIfNull(index);
        if (index.Rank > 1)
            throw new ArgumentException($"IndexSelect: index must be 0-d or 1-d, got shape {index.Shape}");
        int a = Shape.NormalizeAxis(axis, Rank, "IndexSelect");
        // Broadcast the 1-d index along every other axis and gather.
        var viewShape = new int[Rank];
        Array.Fill(viewShape, 1);
        viewShape[a] = index.Numel;
        var outShape = Shape.ToArray();
        outShape[a] = index.Numel;
        var full = index.Reshape(viewShape).Expand(outShape);
        return Gather(a, full);
    }

    /// <summary><see cref="IndexSelect(int, Tensor)"/> with the positions as an array.</summary>
    public Tensor IndexSelect(int axis, params int[] index)
    {
        ArgumentNullException.ThrowIfNull(index);
        return IndexSelect(axis, FromArray(Array.ConvertAll(index, i => (float)i)));
    }

    /// <summary>
    /// One-hot encoding: a tensor of shape [..., numClasses] with a 1 at each index. With numClasses = −1
    /// the count is the largest index + 1.
    /// </summary>
    public static Tensor OneHot(Tensor indices, int numClasses = -1)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var values = indices.ToArray();
        if (numClasses < 0)
        {
            if (numClasses != -1) throw new ArgumentException($"OneHot: numClasses must be positive or -1, got {numClasses}");
            if (values.Length == 0) throw new ArgumentException("OneHot: cannot infer the number of classes from an empty tensor");
            numClasses = (int)Math.Max(0, values.Max()) + 1;
        }
        var idx = ToIndices(indices, numClasses, "OneHot", -1);
        var result = Make(Shape.Of([.. indices.Shape, numClasses]));
        for (int i = 0; i < idx.Length; i++) result.Data[i * numClasses + idx[i]] = 1f;
        return result;
    }

    /// <summary>Reads an index tensor as integers in [0, size), with an error naming the op and the bad value.</summary>
    internal static int[] ToIndices(Tensor index, int size, string op, int axis)
    {
        var values = index.ToArray();
        var result = new int[values.Length];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (v != MathF.Floor(v))
                throw new ArgumentException($"{op}: indices must be whole numbers, got {v}");
            if (v < 0 || v >= size)
            {
                string where = axis == -1 ? $"{size} classes" : $"axis {axis} of size {size}";
                throw new IndexOutOfRangeException($"{op}: index {v} is out of range for {where}");
            }
            result[i] = (int)v;
        }
        return result;
    }
}
