using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Dendrite.Kernels;

/// <summary>
/// A function of one float, applied element by element (an operator struct: the JIT inlines it). An
/// operator that also has an exact 8-wide form sets <see cref="Vectorizable"/> and implements the vector
/// <c>Invoke</c>; the driver then uses it on unit-stride runs. The vector form must give the same result
/// as the scalar one for every input (NaN and ±∞ included), so results never depend on alignment.
/// </summary>
/// <remarks>
/// An operator that is exactly one of <see cref="System.Numerics.Tensors.TensorPrimitives"/>' (the same IEEE
/// operation, so the same bits) sets <see cref="HasPrimitive"/>: the driver hands it whole contiguous rows,
/// which TensorPrimitives runs 1.4 to 2 times faster below about a megabyte (512-bit vectors where the CPU has
/// them, unrolled; docs/architecture.md has the figures).
/// </remarks>
internal interface IUnaryOperator
{
    float Invoke(float x);

    static virtual bool Vectorizable => false;

    Vector256<float> Invoke(Vector256<float> x) => throw new NotSupportedException();

    static virtual bool HasPrimitive => false;

    static virtual void Primitive(ReadOnlySpan<float> x, Span<float> dst) => throw new NotSupportedException();
}

/// <summary>A function of two floats, applied element by element; optionally vectorised like <see cref="IUnaryOperator"/>.</summary>
internal interface IBinaryOperator
{
    float Invoke(float a, float b);

    static virtual bool Vectorizable => false;

    Vector256<float> Invoke(Vector256<float> a, Vector256<float> b) => throw new NotSupportedException();

    static virtual bool HasPrimitive => false;

    static virtual void Primitive(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> dst) => throw new NotSupportedException();

    static virtual void Primitive(ReadOnlySpan<float> a, float b, Span<float> dst) => throw new NotSupportedException();
}

/// <summary>A function of three floats, applied element by element.</summary>
internal interface ITernaryOperator
{
    float Invoke(float a, float b, float c);
}

/// <summary>
/// The one driver loop behind every element-wise operation. Operands are strided views (a stride of 0
/// broadcasts); the walker merges dimensions that are contiguous in every operand so that the inner loop
/// runs as long as possible, and takes a unit-stride fast path when it can.
/// </summary>
internal static unsafe class Elementwise
{
    /// <summary>dst[i] = op(x[i]) over <paramref name="shape"/>.</summary>
    public static void Unary<TOp>(TOp op, ReadOnlySpan<int> shape,
        ReadOnlySpan<float> x, ReadOnlySpan<int> xStrides,
        Span<float> dst, ReadOnlySpan<int> dstStrides)
        where TOp : unmanaged, IUnaryOperator
    {
        fixed (float* px = x, pd = dst)
        {
            var row = new UnaryRow<TOp> { Op = op, X = px, Dst = pd };
            Walk(ref row, shape, 2, dstStrides, xStrides, default, default);
        }
    }

    /// <summary>dst[i] = op(a[i], b[i]) over <paramref name="shape"/>.</summary>
    public static void Binary<TOp>(TOp op, ReadOnlySpan<int> shape,
        ReadOnlySpan<float> a, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<float> b, ReadOnlySpan<int> bStrides,
        Span<float> dst, ReadOnlySpan<int> dstStrides)
        where TOp : unmanaged, IBinaryOperator
    {
        fixed (float* pa = a, pb = b, pd = dst)
        {
            var row = new BinaryRow<TOp> { Op = op, A = pa, B = pb, Dst = pd };
            Walk(ref row, shape, 3, dstStrides, aStrides, bStrides, default);
        }
    }

    /// <summary>dst[i] = op(a[i], b[i], c[i]) over <paramref name="shape"/>.</summary>
    public static void Ternary<TOp>(TOp op, ReadOnlySpan<int> shape,
        ReadOnlySpan<float> a, ReadOnlySpan<int> aStrides,
        ReadOnlySpan<float> b, ReadOnlySpan<int> bStrides,
        ReadOnlySpan<float> c, ReadOnlySpan<int> cStrides,
        Span<float> dst, ReadOnlySpan<int> dstStrides)
        where TOp : unmanaged, ITernaryOperator
    {
        fixed (float* pa = a, pb = b, pc = c, pd = dst)
        {
            var row = new TernaryRow<TOp> { Op = op, A = pa, B = pb, C = pc, Dst = pd };
            Walk(ref row, shape, 4, dstStrides, aStrides, bStrides, cStrides);
        }
    }

    /// <summary>Copies a strided view into another (the kernel behind Contiguous and in-place writes).</summary>
    public static void Copy(ReadOnlySpan<int> shape, ReadOnlySpan<float> src, ReadOnlySpan<int> srcStrides,
        Span<float> dst, ReadOnlySpan<int> dstStrides) =>
        Unary(default(IdentityOp), shape, src, srcStrides, dst, dstStrides);

    /// <summary>Sets every element of a strided view to <paramref name="value"/>.</summary>
    public static void Fill(ReadOnlySpan<int> shape, Span<float> dst, ReadOnlySpan<int> dstStrides, float value) =>
        Unary(new ConstantOp(value), shape, dst, dstStrides, dst, dstStrides);

    private interface IRow
    {
        // Offsets and strides are in elements; operand 0 is the destination.
        void Run(int n, int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3);
    }

    private struct UnaryRow<TOp> : IRow where TOp : unmanaged, IUnaryOperator
    {
        public TOp Op;
        public float* X, Dst;

        // Also fully optimised from the first call: a long row split into chunks calls Run directly, a few
        // times per step, so it would take many steps to leave the unoptimised tier.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public void Run(int n, int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3)
        {
            float* d = Dst + o0, x = X + o1;
            if (s0 == 1 && s1 == 1)
            {
                if (TOp.HasPrimitive && PrimitiveMayWrite(d, x, n))
                {
                    for (int j = 0, m; j < n; j += m)
                    {
                        m = Math.Min(PrimitiveMaxLength, n - j);
                        TOp.Primitive(new ReadOnlySpan<float>(x + j, m), new Span<float>(d + j, m));
                    }
                    return;
                }
                int i = 0;
                if (TOp.Vectorizable && Vector256.IsHardwareAccelerated)
                {
                    for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                        Op.Invoke(Vector256.Load(x + i)).Store(d + i);
                }
                for (; i < n; i++) d[i] = Op.Invoke(x[i]);
            }
            else
            {
                for (int i = 0; i < n; i++) d[(long)i * s0] = Op.Invoke(x[(long)i * s1]);
            }
        }
    }

    private struct BinaryRow<TOp> : IRow where TOp : unmanaged, IBinaryOperator
    {
        public TOp Op;
        public float* A, B, Dst;

        // Also fully optimised from the first call: a long row split into chunks calls Run directly, a few
        // times per step, so it would take many steps to leave the unoptimised tier.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public void Run(int n, int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3)
        {
            float* d = Dst + o0, a = A + o1, b = B + o2;
            bool vector = TOp.Vectorizable && Vector256.IsHardwareAccelerated;
            const int width = 8;
            if (s0 == 1 && s1 == 1 && s2 == 1)
            {
                if (TOp.HasPrimitive && PrimitiveMayWrite(d, a, n) && PrimitiveMayWrite(d, b, n))
                {
                    for (int j = 0, m; j < n; j += m)
                    {
                        m = Math.Min(PrimitiveMaxLength, n - j);
                        TOp.Primitive(new ReadOnlySpan<float>(a + j, m), new ReadOnlySpan<float>(b + j, m), new Span<float>(d + j, m));
                    }
                    return;
                }
                int i = 0;
                if (vector)
                    for (; i <= n - width; i += width) Op.Invoke(Vector256.Load(a + i), Vector256.Load(b + i)).Store(d + i);
                for (; i < n; i++) d[i] = Op.Invoke(a[i], b[i]);
            }
            else if (s0 == 1 && s1 == 1 && s2 == 0)
            {
                float bv = *b;
                if (TOp.HasPrimitive && PrimitiveMayWrite(d, a, n))
                {
                    for (int j = 0, m; j < n; j += m)
                    {
                        m = Math.Min(PrimitiveMaxLength, n - j);
                        TOp.Primitive(new ReadOnlySpan<float>(a + j, m), bv, new Span<float>(d + j, m));
                    }
                    return;
                }
                int i = 0;
                if (vector)
                {
                    var bb = Vector256.Create(bv);
                    for (; i <= n - width; i += width) Op.Invoke(Vector256.Load(a + i), bb).Store(d + i);
                }
                for (; i < n; i++) d[i] = Op.Invoke(a[i], bv);
            }
            else if (s0 == 1 && s1 == 0 && s2 == 1)
            {
                float av = *a;
                int i = 0;
                if (vector)
                {
                    var aa = Vector256.Create(av);
                    for (; i <= n - width; i += width) Op.Invoke(aa, Vector256.Load(b + i)).Store(d + i);
                }
                for (; i < n; i++) d[i] = Op.Invoke(av, b[i]);
            }
            else
            {
                for (int i = 0; i < n; i++) d[(long)i * s0] = Op.Invoke(a[(long)i * s1], b[(long)i * s2]);
            }
        }
    }

    // Below this many elements a TensorPrimitives call costs more than it saves (its checks and set-up are a
    // few nanoseconds; the rows of a small broadcast, [64, 10] + [10], are 10 long).
    private const int PrimitiveMinLength = 512;

    // ... and above this many it switches to non-temporal stores, which send a result that the next op reads
    // straight back out to memory (a 1M-element ReLU took 100 µs instead of 78), so longer rows go in pieces.
    private const int PrimitiveMaxLength = 65_536;

    // Whether a row goes to TensorPrimitives: long enough, and a destination that overlaps the source only
    // by starting at the same element (an in-place op), the one overlap TensorPrimitives accepts; any other
    // overlap stays with the element-by-element loop.
    private static bool PrimitiveMayWrite(float* dst, float* src, int n) =>
        n >= PrimitiveMinLength && (dst == src || dst + n <= src || src + n <= dst);

    private struct TernaryRow<TOp> : IRow where TOp : unmanaged, ITernaryOperator
    {
        public TOp Op;
        public float* A, B, C, Dst;

        // Also fully optimised from the first call: a long row split into chunks calls Run directly, a few
        // times per step, so it would take many steps to leave the unoptimised tier.
        [MethodImpl(MethodImplOptions.AggressiveInlining | MethodImplOptions.AggressiveOptimization)]
        public void Run(int n, int o0, int s0, int o1, int s1, int o2, int s2, int o3, int s3)
        {
            float* d = Dst + o0, a = A + o1, b = B + o2, c = C + o3;
            for (int i = 0; i < n; i++)
                d[(long)i * s0] = Op.Invoke(a[(long)i * s1], b[(long)i * s2], c[(long)i * s3]);
        }
    }

    // Rows at least twice this long are split into chunks of this many elements (256 KiB) that run in
    // parallel: element-wise work is bound by memory traffic, which two cores stream faster than one, and
    // below about half a megabyte handing work to another thread costs more than it saves. Each element
    // is computed alone, so the split never changes a result.
    private const int ChunkElements = 65_536;

    private struct RowChunks<TRow> : IRangeWork where TRow : unmanaged, IRow
    {
        public TRow* Row;
        public int S0, S1, S2, S3;

        public readonly void Execute(int start, int count) =>
            Row->Run(count, start * S0, S0, start * S1, S1, start * S2, S2, start * S3, S3);
    }

    /// <summary>
    /// Walks the outer dimensions of up to four strided operands and hands each innermost row to
    /// <paramref name="row"/>. Size-1 dimensions are dropped and adjacent dimensions that are contiguous
    /// in every operand are merged first, so a contiguous tensor is one long row.
    /// </summary>
    [SkipLocalsInit]
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Walk<TRow>(ref TRow row, ReadOnlySpan<int> shape, int operands,
        ReadOnlySpan<int> st0, ReadOnlySpan<int> st1, ReadOnlySpan<int> st2, ReadOnlySpan<int> st3)
        where TRow : unmanaged, IRow
    {
        int rank = shape.Length;
        for (int d = 0; d < rank; d++)
            if (shape[d] == 0) return;

        // Collapsed dimensions, innermost first: sizes and the stride of each operand.
        Span<int> size = stackalloc int[rank + 1];
        Span<int> s = stackalloc int[4 * (rank + 1)];
        int r = 0;
        for (int d = rank - 1; d >= 0; d--)
        {
            if (shape[d] == 1) continue;
            int a0 = st0[d];
            int a1 = operands > 1 ? st1[d] : 0;
            int a2 = operands > 2 ? st2[d] : 0;
            int a3 = operands > 3 ? st3[d] : 0;
            if (r > 0)
            {
                int prev = size[r - 1];
                if (a0 == s[0 * (rank + 1) + r - 1] * prev && a1 == s[1 * (rank + 1) + r - 1] * prev &&
                    a2 == s[2 * (rank + 1) + r - 1] * prev && a3 == s[3 * (rank + 1) + r - 1] * prev)
                {
                    size[r - 1] = prev * shape[d];
                    continue;
                }
            }
            size[r] = shape[d];
            s[0 * (rank + 1) + r] = a0;
            s[1 * (rank + 1) + r] = a1;
            s[2 * (rank + 1) + r] = a2;
            s[3 * (rank + 1) + r] = a3;
            r++;
        }
        if (r == 0)
        {
            row.Run(1, 0, 0, 0, 0, 0, 0, 0, 0);
            return;
        }

        int w = rank + 1;
        int n = size[0];
        int i0 = s[0], i1 = s[w], i2 = s[2 * w], i3 = s[3 * w];
        if (r == 1 && n >= 2 * ChunkElements)
        {
            // One long row (contiguous operands): split it into fixed chunks on the worker pool.
            fixed (TRow* p = &row)
            {
                var chunks = new RowChunks<TRow> { Row = p, S0 = i0, S1 = i1, S2 = i2, S3 = i3 };
                WorkerPool.ForChunks(n, ChunkElements, ref chunks);
            }
            return;
        }
        Span<int> counter = stackalloc int[r];
        counter.Clear();
        int o0 = 0, o1 = 0, o2 = 0, o3 = 0;
        while (true)
        {
            row.Run(n, o0, i0, o1, i1, o2, i2, o3, i3);
            int d = 1;
            for (; d < r; d++)
            {
                o0 += s[d]; o1 += s[w + d]; o2 += s[2 * w + d]; o3 += s[3 * w + d];
                if (++counter[d] < size[d]) break;
                o0 -= s[d] * size[d]; o1 -= s[w + d] * size[d]; o2 -= s[2 * w + d] * size[d]; o3 -= s[3 * w + d] * size[d];
                counter[d] = 0;
            }
            if (d == r) return;
        }
    }
}
