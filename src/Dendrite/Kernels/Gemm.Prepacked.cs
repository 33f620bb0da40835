using System.Runtime.CompilerServices;

namespace Dendrite.Kernels;

// A B packed once and used by many products (a layer's weights at inference): the packed path without packing B.
internal static unsafe partial class Gemm
{
    /// <summary>
    /// op(B) (k×n) packed once for many products by <see cref="Sgemm(bool, int, int, int, float, ReadOnlySpan{float}, int, PackedB, float, Span{float}, int, ReadOnlySpan{float}, bool)"/>:
    /// a layer's weights at inference, which ONNX Runtime likewise packs when a session starts. Packed for the
    /// kernel in use when it was made (<see cref="Isa"/>); it owns its memory, so dropping it frees it.
    /// </summary>
    internal sealed class PackedB
    {
        private readonly float[] data;
        private readonly int start;

        internal PackedB(GemmIsa isa, int k, int n, int nr)
        {
            Isa = isa;
            K = k;
            N = n;
            // Every kc block holds all of N in NR-column panels, as Block reads them; 16 floats of slack align it to 64 bytes.
            data = GC.AllocateUninitializedArray<float>(RoundUp(n, nr) * k + 16, pinned: true);
            fixed (float* p = data) start = (int)((64 - ((nint)p & 63)) & 63) / sizeof(float);
        }

        public GemmIsa Isa { get; }
        public int K { get; }
        public int N { get; }
        internal float* Pointer => (float*)Unsafe.AsPointer(ref data[start]);
    }

    /// <summary>Packs op(B) (k×n; B is stored n×k when <paramref name="transB"/>) for the kernel in use.</summary>
    internal static PackedB PackWeights(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        if (k < 1 || n < 1) throw new ArgumentOutOfRangeException(nameof(k), $"PackWeights: k={k}, n={n}");
        CheckView("B", b.Length, transB ? n : k, transB ? k : n, ldb);
        var packed = new PackedB(isa, k, n, PanelWidth);
        fixed (float* pb = b)
        {
            var g = new Args { B = pb, Ldb = ldb, TransB = transB, K = k, N = n, Avx = UsesAvx2, Isa = isa };
            switch (isa)
            {
                case GemmIsa.Avx512: PackAll<Avx512Kernel>(in g, packed.Pointer); break;
                case GemmIsa.Avx2: PackAll<Avx2Kernel>(in g, packed.Pointer); break;
                default: PackAll<PortableKernel>(in g, packed.Pointer); break;
            }
        }
        return packed;
    }

    private static void PackAll<TK>(in Args g, float* dst) where TK : struct, IMicroKernel
    {
        int kc = BlockDepth(g.K), npad = RoundUp(g.N, TK.NR);
        for (int pc = 0; pc < g.K; pc += kc)
            PackB<TK>(in g, pc, Math.Min(kc, g.K - pc), 0, g.N, dst + (nint)pc * npad);
    }

    /// <summary>
    /// C = act(α·op(A)·B + β·C + bias) with B packed beforehand by <see cref="PackWeights"/>: the packed path
    /// without packing B, bitwise equal to the same product through the ordinary <c>Sgemm</c> when that takes
    /// its packed path.
    /// </summary>
    internal static void Sgemm(bool transA, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda, PackedB b,
        float beta, Span<float> c, int ldc, ReadOnlySpan<float> bias, bool relu)
    {
        if (b.K != k || b.N != n)
            throw new ArgumentException($"Sgemm: B was packed as {b.K}x{b.N}, the product needs {k}x{n}", nameof(b));
        if (b.Isa != isa)
            throw new InvalidOperationException($"Sgemm: B was packed for the {b.Isa} kernel, {isa} is in use");
        CheckView("A", a.Length, transA ? k : m, transA ? m : k, lda);
        CheckView("C", c.Length, m, n, ldc);
        if (!bias.IsEmpty && bias.Length != n)
            throw new ArgumentException($"Sgemm: bias has length {bias.Length}, expected n={n}", nameof(bias));
        fixed (float* pa = a, pc = c, pbias = bias)
            PackedOnly(new Args
            {
                A = pa, BPacked = b.Pointer, TransA = transA, C = pc, Bias = bias.IsEmpty ? null : pbias, M = m, N = n,
                K = k, Lda = lda, Ldc = ldc, Alpha = alpha, Beta = beta, Relu = relu, Avx = UsesAvx2, Isa = isa,
            });
    }
}
