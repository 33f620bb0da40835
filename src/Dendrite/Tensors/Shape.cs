using System.Collections;

namespace Dendrite.Tensors;

/// <summary>
/// The sizes of a tensor's dimensions, outermost first (row-major). Immutable; compares by value and
/// prints as <c>[3,4]</c>, the form every shape error message uses.
/// </summary>
public sealed class Shape : IEquatable<Shape>, IReadOnlyList<int>
{
    private readonly int[] dims;

    // Row-major strides, computed once per shape and shared (read-only) by every contiguous tensor of it.
    private int[]? contiguousStrides;

    /// <summary>Creates a shape from its dimension sizes; every size must be zero or more.</summary>
    public Shape(params int[] dims) : this(CheckedCopy(dims), owned: true)
    {
    }

    private static int[] CheckedCopy(int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return (int[])dims.Clone();
    }

    // Takes ownership of `dims` (a private copy).
    private Shape(int[] dims, bool owned)
    {
        foreach (var d in dims)
        {
            if (d < 0)
                throw new ArgumentException($"Shape: sizes must not be negative, got {Format(dims)}");
        }
        this.dims = dims;
        long n = 1;
        foreach (var d in dims)
        {
            n *= d;
            if (n > int.MaxValue)
                throw new ArgumentException($"Shape: {Format(dims)} has more than {int.MaxValue} elements");
        }
        Numel = (int)n;
    }

    /// <summary>The shape of a scalar (rank 0, one element).</summary>
    public static Shape Scalar { get; } = new();

    // A small per-thread cache of recent shapes (two-way set-associative, by hash): a training step makes
    // the same few shapes every time, and handing out the same immutable Shape (with its cached strides)
    // saves three small arrays and an object per op. Bounded, so unusual shapes cost nothing to remember.
    private const int CacheSets = 128;
    [ThreadStatic] private static Shape?[]? cache;

    /// <summary>A shape equal to <paramref name="dims"/>, shared when a recent one matches (shapes are immutable).</summary>
    internal static Shape Of(ReadOnlySpan<int> dims)
    {
        if (dims.Length == 0) return Scalar;
        var entries = cache ??= new Shape?[2 * CacheSets];
        int h = 17;
        foreach (var d in dims) h = h * 31 + d;
        int set = (int)((uint)(h * -1640531535) >> 25) * 2; // Fibonacci hashing into 128 sets
        var first = entries[set];
        if (first is not null && first.dims.AsSpan().SequenceEqual(dims)) return first;
        var second = entries[set + 1];
        if (second is not null && second.dims.AsSpan().SequenceEqual(dims))
        {
            // Most recently used first.
            entries[set + 1] = first;
            entries[set] = second;
            return second;
        }
        var shape = new Shape(dims.ToArray(), owned: true);
        entries[set + 1] = first;
        entries[set] = shape;
        return shape;
    }

    /// <summary><see cref="Of(ReadOnlySpan{int})"/> for an array, which must not be null.</summary>
    internal static Shape Of(int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        return Of((ReadOnlySpan<int>)dims);
    }

    /// <summary>This shape with one dimension replaced (shared like <see cref="Of(ReadOnlySpan{int})"/>).</summary>
    internal Shape With(int axis, int size)
    {
        if (dims[axis] == size) return this;
        Span<int> d = dims.Length <= 16 ? stackalloc int[dims.Length] : new int[dims.Length];
        dims.CopyTo(d);
        d[axis] = size;
        return Of(d);
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => dims.Length;

    /// <summary>Total number of elements (1 for a scalar).</summary>
    public int Numel { get; }

    /// <summary>Size of dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int this[int axis] => dims[NormalizeAxis(axis, Rank, "Shape")];

    int IReadOnlyCollection<int>.Count => dims.Length;

    /// <summary>A copy of the sizes.</summary>
    public int[] ToArray() => (int[])dims.Clone();

    internal ReadOnlySpan<int> AsSpan() => dims;

    /// <summary>Row-major (C-order) strides for this shape.</summary>
    public int[] ContiguousStrides() => (int[])SharedContiguousStrides.Clone();

    /// <summary>Row-major strides, shared: callers must never write to the array.</summary>
    internal int[] SharedContiguousStrides => contiguousStrides ??= ComputeContiguousStrides();

    private int[] ComputeContiguousStrides()
    {
        var strides = new int[dims.Length];
        int s = 1;
        for (int i = dims.Length - 1; i >= 0; i--)
        {
            strides[i] = s;
            s *= Math.Max(dims[i], 1);
        }
        return strides;
    }

    /// <summary>
    /// The NumPy broadcast of two shapes: dimensions are aligned from the right and must be equal or 1.
    /// </summary>
    public static Shape Broadcast(Shape a, Shape b, string op)
    {
        if (ReferenceEquals(a, b)) return a;
        int rank = Math.Max(a.Rank, b.Rank);
        Span<int> result = rank <= 16 ? stackalloc int[rank] : new int[rank];
        for (int i = 0; i < rank; i++)
        {
            int da = i < rank - a.Rank ? 1 : a.dims[i - (rank - a.Rank)];
            int db = i < rank - b.Rank ? 1 : b.dims[i - (rank - b.Rank)];
            if (da != db && da != 1 && db != 1)
                throw new ArgumentException($"{op}: shapes {a} and {b} cannot be broadcast together");
            result[i] = da == 1 ? db : da;
        }
        return Of(result);
    }

    /// <summary>Maps a possibly negative axis into [0, rank) or throws an error naming the op.</summary>
    public static int NormalizeAxis(int axis, int rank, string op)
    {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank)
            throw new ArgumentOutOfRangeException(nameof(axis),
                $"{op}: axis {axis} is out of range for a tensor of rank {rank}");
        return a;
    }

    public bool Equals(Shape? other) => other is not null && dims.AsSpan().SequenceEqual(other.dims);

    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (var d in dims) h.Add(d);
        return h.ToHashCode();
    }

    public static bool operator ==(Shape? a, Shape? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Shape? a, Shape? b) => !(a == b);

    public static implicit operator Shape(int[] dims) => new(dims);

    public IEnumerator<int> GetEnumerator() => ((IEnumerable<int>)dims).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => dims.GetEnumerator();

    public override string ToString() => Format(dims);

    internal static string Format(ReadOnlySpan<int> dims) => "[" + string.Join(",", dims.ToArray()) + "]";
}
