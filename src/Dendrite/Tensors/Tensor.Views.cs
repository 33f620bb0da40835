using Dendrite.Autograd.Nodes;
using Dendrite.Kernels;

namespace Dendrite.Tensors;

// Views share storage with their source: only shape, strides and offset change.
public partial class Tensor
{
    /// <summary>
    /// The same elements with a new shape (one size may be −1 and is inferred). A view when the layout
    /// allows, otherwise a copy — like <c>torch.reshape</c>.
    /// </summary>
    public Tensor Reshape(params int[] shape)
    {
        var target = InferShape("Reshape", shape);
        return ReshapeTo(target);
    }

    /// <summary><see cref="Reshape"/> to a shape already checked to have this tensor's number of elements.</summary>
    internal Tensor ReshapeTo(Shape target)
    {
        var source = IsContiguous ? this : ContiguousNoGrad();
        var result = MakeView(source.Storage, target, target.SharedContiguousStrides, source.Offset);
        return ShouldRecord(this) ? result.WithGradFn(ReshapeBackward.Create(this)) : result;
    }

    /// <summary>Like <see cref="Reshape"/>, but always a view: fails on a non-contiguous tensor.</summary>
    public Tensor View(params int[] shape)
    {
        if (!IsContiguous)
            throw new InvalidOperationException(
                $"View: a tensor of shape {Shape} with strides [{string.Join(",", StridesArray)}] is not contiguous; use Reshape or Contiguous first");
        return Reshape(shape);
    }

    /// <summary>Merges dimensions <paramref name="startAxis"/>..<paramref name="endAxis"/> into one.</summary>
    public Tensor Flatten(int startAxis = 0, int endAxis = -1)
    {
        if (Rank == 0) return Reshape(1);
        int s = Shape.NormalizeAxis(startAxis, Rank, "Flatten"), e = Shape.NormalizeAxis(endAxis, Rank, "Flatten");
        if (s > e) throw new ArgumentException($"Flatten: start axis {startAxis} comes after end axis {endAxis}");
        Span<int> dims = stackalloc int[Rank - (e - s)];
        for (int d = 0; d < s; d++) dims[d] = Shape[d];
        int merged = 1;
        for (int d = s; d <= e; d++) merged *= Shape[d];
        dims[s] = merged;
        for (int d = e + 1; d < Rank; d++) dims[d - (e - s)] = Shape[d];
        return ReshapeTo(Shape.Of(dims));
    }

    private Shape InferShape(string op, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                if (infer >= 0) throw new ArgumentException($"{op}: only one size can be -1, got {Shape.Format(shape)}");
                infer = i;
            }
            else if (shape[i] < 0)
            {
                throw new ArgumentException($"{op}: sizes must not be negative, got {Shape.Format(shape)}");
            }
            else known *= shape[i];
        }
        var dims = (int[])shape.Clone();
        if (infer >= 0)
        {
            if (known == 0 || Numel % known != 0)
                throw new ArgumentException($"{op}: cannot reshape {Shape} ({Numel} elements) into {Shape.Format(shape)}");
            dims[infer] = (int)(Numel / known);
        }
        var result = Shape.Of(dims);
        if (result.Numel != Numel)
            throw new ArgumentException($"{op}: cannot reshape {Shape} ({Numel} elements) into {result} ({result.Numel} elements)");
        return result;
    }

    /// <summary>Swaps two dimensions (a view).</summary>
    public Tensor Transpose(int axis0, int axis1)
    {
        var perm = new int[Rank];
        for (int i = 0; i < Rank; i++) perm[i] = i;
        int a = Shape.NormalizeAxis(axis0, Rank, "Transpose"), b = Shape.NormalizeAxis(axis1, Rank, "Transpose");
        (perm[a], perm[b]) = (perm[b], perm[a]);
        return Permute(perm);
    }

    /// <summary>The transpose of a matrix (dimensions reversed; a 0-d or 1-d tensor is returned as it is).</summary>
    public Tensor T
    {
        get
        {
            if (Rank > 2)
                throw new InvalidOperationException($"T: defined for tensors of rank 2 or less, got shape {Shape}; use Permute or Transpose");
            return Rank < 2 ? this : Transpose(0, 1);
        }
    }

    /// <summary>Reorders the dimensions: dimension i of the result is dimension <paramref name="axes"/>[i] of this tensor.</summary>
    public Tensor Permute(params int[] axes)
    {
        ArgumentNullException.ThrowIfNull(axes);
        if (axes.Length != Rank)
            throw new ArgumentException($"Permute: expected {Rank} axes for shape {Shape}, got {Shape.Format(axes)}");
        var seen = new bool[Rank];
        var dims = new int[Rank];
        var strides = new int[Rank];
        var normalized = new int[Rank];
        for (int i = 0; i < Rank; i++)
        {
            int a = Shape.NormalizeAxis(axes[i], Rank, "Permute");
            if (seen[a]) throw new ArgumentException($"Permute: axis {axes[i]} appears twice in {Shape.Format(axes)}");
            seen[a] = true;
            normalized[i] = a;
            dims[i] = Shape[a];
            strides[i] = StridesArray[a];
        }
        var result = MakeView(Storage, Shape.Of(dims), strides, Offset);
        return ShouldRecord(this) ? result.WithGradFn(new PermuteBackward(this, normalized)) : result;
    }

    /// <summary>Removes every dimension of size 1.</summary>
    public Tensor Squeeze()
    {
        var dims = new List<int>();
        var strides = new List<int>();
        for (int d = 0; d < Rank; d++)
        {
            if (Shape[d] == 1) continue;
            dims.Add(Shape[d]);
            strides.Add(StridesArray[d]);
        }
        return StridedView([.. dims], [.. strides]);
    }

    /// <summary>Removes dimension <paramref name="axis"/> if its size is 1 (otherwise returns the tensor unchanged, as PyTorch does).</summary>
    public Tensor Squeeze(int axis)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "Squeeze");
        if (Shape[a] != 1) return this;
        var dims = Shape.ToArray().ToList();
        var strides = StridesArray.ToList();
        dims.RemoveAt(a);
        strides.RemoveAt(a);
        return StridedView([.. dims], [.. strides]);
    }

    /// <summary>Inserts a dimension of size 1 at <paramref name="axis"/> (which may be Rank, or negative).</summary>
    public Tensor Unsqueeze(int axis)
    {
        int a = Shape.NormalizeAxis(axis, Rank + 1, "Unsqueeze");
        var dims = Shape.ToArray().ToList();
        var strides = StridesArray.ToList();
        dims.Insert(a, 1);
        strides.Insert(a, a < Rank ? StridesArray[a] * Shape[a] : 1);
        return StridedView([.. dims], [.. strides]);
    }

    // A view with the same elements in the same order but a different shape (squeeze/unsqueeze).
    private Tensor StridedView(int[] dims, int[] strides)
    {
        var result = MakeView(Storage, Shape.Of(dims), strides, Offset);
        return ShouldRecord(this) ? result.WithGradFn(ReshapeBackward.Create(this)) : result;
    }

    /// <summary>Elements <paramref name="start"/> .. <paramref name="start"/>+<paramref name="length"/>−1 along <paramref name="axis"/> (a view).</summary>
    public Tensor Narrow(int axis, int start, int length)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "Narrow");
        int s = start < 0 ? start + Shape[a] : start;
        if (length < 0 || s < 0 || s + length > Shape[a])
            throw new ArgumentOutOfRangeException(nameof(start),
                $"Narrow: [{start}, {start}+{length}) is out of range for axis {axis} of size {Shape[a]} (shape {Shape})");
        return Slice(a, s, s + length);
    }

    /// <summary>
    /// Elements start, start+step, ... below end along <paramref name="axis"/> (a view; Python's
    /// <c>x[start:end:step]</c>). Negative start/end count from the end; both are clipped to the size.
    /// </summary>
    public Tensor Slice(int axis, int start, int end, int step = 1)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "Slice");
        if (step <= 0) throw new ArgumentException($"Slice: step must be positive, got {step}");
        int size = Shape[a];
        int s = Math.Clamp(start < 0 ? start + size : start, 0, size);
        int e = Math.Clamp(end < 0 ? end + size : end, 0, size);
        int count = e > s ? (e - s + step - 1) / step : 0;
        var dims = Shape.ToArray();
        var strides = (int[])StridesArray.Clone();
        dims[a] = count;
        strides[a] = StridesArray[a] * step;
        var result = MakeView(Storage, Shape.Of(dims), strides, Offset + (count > 0 ? s * StridesArray[a] : 0));
        return ShouldRecord(this) ? result.WithGradFn(new SliceBackward(this, a, s, step)) : result;
    }

    /// <summary>The sub-tensor at <paramref name="index"/> along <paramref name="axis"/>, that axis removed (a view; <c>x[:, i]</c>).</summary>
    public Tensor Select(int axis, int index)
    {
        int a = Shape.NormalizeAxis(axis, Rank, "Select");
        int i = index < 0 ? index + Shape[a] : index;
        if (i < 0 || i >= Shape[a])
            throw new IndexOutOfRangeException($"Select: index {index} is out of range for axis {axis} of size {Shape[a]} (shape {Shape})");
        return Slice(a, i, i + 1).Squeeze(a);
    }

    /// <summary>
    /// The sub-tensor at the given positions of the leading axes (a view; <c>x[i, j]</c>); indexing every
    /// axis gives a 0-d tensor, read with <see cref="Item"/> or written with <see cref="Fill_"/>.
    /// </summary>
    [System.Runtime.CompilerServices.IndexerName("At")]
    public Tensor this[params int[] indices]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(indices);
            if (indices.Length > Rank)
                throw new ArgumentException($"Index: {indices.Length} indices are too many for shape {Shape}");
            var t = this;
            foreach (var i in indices) t = t.Select(0, i);
            return t;
        }
    }

    /// <summary>
    /// Repeats size-1 dimensions (and adds leading ones) to reach <paramref name="shape"/> without copying:
    /// the repeated dimension gets stride 0. −1 keeps a size.
    /// </summary>
    public Tensor Expand(params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length < Rank)
            throw new ArgumentException($"Expand: cannot expand shape {Shape} to fewer dimensions {Shape.Format(shape)}");
        int lead = shape.Length - Rank;
        var dims = new int[shape.Length];
        var strides = new int[shape.Length];
        for (int d = 0; d < shape.Length; d++)
        {
            int src = d - lead;
            int want = shape[d];
            if (src < 0)
            {
                if (want < 0) throw new ArgumentException($"Expand: -1 is not allowed for a new leading dimension in {Shape.Format(shape)}");
                dims[d] = want;
                strides[d] = 0;
            }
            else if (want == -1 || want == Shape[src])
            {
                dims[d] = Shape[src];
                strides[d] = StridesArray[src];
            }
            else if (Shape[src] == 1 && want >= 0)
            {
                dims[d] = want;
                strides[d] = 0;
            }
            else
            {
                throw new ArgumentException($"Expand: cannot expand shape {Shape} to {Shape.Format(shape)}");
            }
        }
        var result = MakeView(Storage, Shape.Of(dims), strides, Offset);
        return ShouldRecord(this) ? result.WithGradFn(new ExpandBackward(this)) : result;
    }

    /// <summary><see cref="Expand"/> to a shape given as a <see cref="Tensors.Shape"/>.</summary>
    public Tensor BroadcastTo(Shape shape) => Expand(shape.ToArray());

    /// <summary>A contiguous copy that stays in the graph (gradients flow back unchanged).</summary>
    public Tensor Clone()
    {
        var result = ContiguousCopy();
        return ShouldRecord(this) ? result.WithGradFn(new CloneBackward(this)) : result;
    }

    /// <summary>This tensor if it is contiguous, otherwise a contiguous copy (in the graph).</summary>
    public Tensor Contiguous() => IsContiguous ? this : Clone();

    // Contiguous data for kernels, never recorded (callers record their own node).
    internal Tensor ContiguousNoGrad() => IsContiguous ? this : ContiguousCopy();

    private Tensor ContiguousCopy()
    {
        var result = Make(Shape);
        Elementwise.Copy(ShapeSpan, Span, StridesArray, result.Data, result.StridesArray);
        return result;
    }
}
