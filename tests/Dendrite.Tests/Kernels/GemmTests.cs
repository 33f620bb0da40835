using Dendrite.Kernels;
using Dendrite.Runtime;

namespace Dendrite.Tests.Kernels;

[Collection(KernelSettingsCollection.Name)]
public class GemmTests
{
    private static readonly int[] Small = [1, 5, 17];

    public static TheoryData<bool, bool, int, int, int> Shapes()
    {
        var data = new TheoryData<bool, bool, int, int, int>();
        // Every combination of small sizes (the direct path and edge tiles), then larger odd shapes that
        // cross the 6×16 and 6×32 tiles, the kc/mc blocks and the matrix-vector paths without a 1025³ reference.
        var shapes = new List<(int, int, int)>();
        foreach (int m in Small)
            foreach (int n in Small)
                foreach (int k in Small)
                    shapes.Add((m, n, k));
        shapes.AddRange([
            (255, 257, 17), (257, 255, 1000), (17, 1000, 255), (1000, 17, 257), (255, 257, 257),
            (1025, 5, 1000), (5, 1025, 1000), (1, 1025, 1000), (1000, 1, 1025), (1, 1, 1025),
            (257, 1025, 5), (1025, 1, 5), (1, 257, 255), (255, 1, 257), (17, 17, 1025),
            (2, 257, 1000), (3, 1025, 17), (4, 37, 1025), (4, 5, 1000),
        ]);
        foreach (var (m, n, k) in shapes)
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    data.Add(ta, tb, m, n, k);
        return data;
    }

    /// <summary>The micro-kernels this CPU can run (portable, AVX2, AVX-512), by name.</summary>
    public static TheoryData<string> Isas()
    {
        var data = new TheoryData<string>();
        foreach (var isa in Gemm.SupportedIsas) data.Add(isa.ToString());
        return data;
    }

    public static TheoryData<string, bool, bool, int, int, int> ShapesPerIsa()
    {
        var data = new TheoryData<string, bool, bool, int, int, int>();
        foreach (var isa in Gemm.SupportedIsas)
            foreach (var row in Shapes())
                data.Add(isa.ToString(), (bool)row[0], (bool)row[1], (int)row[2], (int)row[3], (int)row[4]);
        return data;
    }

    /// <summary>Runs <paramref name="body"/> with the named micro-kernel, then restores the one in use.</summary>
    internal static void WithIsa(string isa, Action body)
    {
        var saved = Gemm.Isa;
        try
        {
            Gemm.Isa = Enum.Parse<GemmIsa>(isa);
            body();
        }
        finally
        {
            Gemm.Isa = saved;
        }
    }

    [Theory]
    [MemberData(nameof(ShapesPerIsa))]
    public void MatchesReference(string isa, bool transA, bool transB, int m, int n, int k) => WithIsa(isa, () =>
    {
        // Strided views on alternate cases, plain α = 1, β = 0 on the others; then the whole epilogue.
        bool strided = (m + n + k) % 2 == 1;
        Check(transA, transB, m, n, k, 1f, 0f, strided ? 3 : 0, bias: false, relu: false, seed: m * 7 + n * 3 + k);
        Check(transA, transB, m, n, k, 0.5f, 0.25f, 1, bias: true, relu: true, seed: m + 2 * n + 3 * k);
    });

    public static TheoryData<string, bool, bool, int, int, int> DeepShapesPerIsa()
    {
        // Reductions deep enough to be sliced (k ≥ 4096 into at most 4096 outputs, a convolution's weight
        // gradient), one just too wide to be, and one just too shallow, with a partial last slice.
        var data = new TheoryData<string, bool, bool, int, int, int>();
        foreach (var isa in Gemm.SupportedIsas)
            foreach (var (m, n, k) in new[] { (6, 25, 5000), (16, 150, 6400), (1, 2, 4097), (65, 64, 4500), (7, 9, 4095) })
                foreach (bool ta in new[] { false, true })
                    foreach (bool tb in new[] { false, true })
                        data.Add(isa.ToString(), ta, tb, m, n, k);
        return data;
    }

    [Theory]
    [MemberData(nameof(DeepShapesPerIsa))]
    public void DeepReductionsMatchReference(string isa, bool transA, bool transB, int m, int n, int k) => WithIsa(isa, () =>
    {
        Check(transA, transB, m, n, k, 1f, 0f, 1, bias: false, relu: false, seed: m + n + k);
        Check(transA, transB, m, n, k, -0.5f, 2f, 0, bias: true, relu: true, seed: m * n + k);
    });

    [Theory]
    [MemberData(nameof(Isas))]
    public void RowTableProductMatchesTheMatrixItDescribes(string isa) => WithIsa(isa, () =>
    {
        // B's rows anywhere in one buffer, overlapping and out of order, as an implicit im2col reads them; each
        // row readable RowsReadPast floats beyond n. The result must equal the product with B written out, and
        // the packed-only entry must give the same bits as the ordinary one on a shape that takes the packed path.
        var rng = new Random(5);
        foreach (var (m, n, k) in new[] { (16, 136, 150), (6, 892, 25), (5, 33, 7), (40, 31, 300) })
        {
            var source = RandomArray(rng, 4 * n + 3 * k + Gemm.RowsReadPast);
            var offsets = new int[k];
            for (int p = 0; p < k; p++) offsets[p] = rng.Next(0, source.Length - n - Gemm.RowsReadPast + 1);
            var b = new float[k * n];
            for (int p = 0; p < k; p++) Array.Copy(source, offsets[p], b, p * n, n);
            var a = RandomArray(rng, m * k);
            var bias = RandomArray(rng, n);
            var expected = new float[m * n];
            var viaRows = new float[m * n];
            var viaPacked = new float[m * n];
            Gemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, expected, n, bias, relu: true);
            Gemm.SgemmRows(false, m, n, k, 1f, a, k, source, offsets, 0f, viaRows, n, bias, relu: true);
            Gemm.SgemmPacked(m, n, k, 1f, a, k, b, n, 0f, viaPacked, n, bias, relu: true);
            Assert.True(viaRows.AsSpan().SequenceEqual(viaPacked), $"rows vs packed {m}x{n}x{k}");
            if ((long)m * n * k > 24 * 24 * 24) Assert.True(expected.AsSpan().SequenceEqual(viaPacked), $"packed vs Sgemm {m}x{n}x{k}");
            else
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - viaPacked[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"element {i}");
        }
        // Transposed: the n stored rows of B (k floats each) anywhere; C = A·Bᵀ as a convolution's weight
        // gradient reads the input, against the same product with B written out.
        foreach (var (m, n, k) in new[] { (16, 150, 136), (6, 25, 892), (3, 9, 5), (40, 37, 300) })
        {
            var source = RandomArray(rng, 2 * k + 3 * n);
            var offsets = new int[n];
            for (int r = 0; r < n; r++) offsets[r] = rng.Next(0, source.Length - k + 1);
            var b = new float[n * k];
            for (int r = 0; r < n; r++) Array.Copy(source, offsets[r], b, r * k, k);
            var a = RandomArray(rng, m * k);
            var c0 = RandomArray(rng, m * n);
            var expected = (float[])c0.Clone();
            var viaRows = (float[])c0.Clone();
            Gemm.Sgemm(false, true, m, n, k, 0.5f, a, k, b, k, 1f, expected, n);
            Gemm.SgemmRows(true, m, n, k, 0.5f, a, k, source, offsets, 1f, viaRows, n, default, relu: false);
            if ((long)m * n * k > 24 * 24 * 24 && m > 4) Assert.True(expected.AsSpan().SequenceEqual(viaRows), $"transposed rows {m}x{n}x{k}");
            else
                for (int i = 0; i < expected.Length; i++)
                    Assert.True(Math.Abs(expected[i] - viaRows[i]) <= 1e-5f * (1 + Math.Abs(expected[i])), $"element {i}");
        }
        var bad = new int[] { 0, 3 };
        var e = Assert.Throws<ArgumentException>(() =>
            Gemm.SgemmRows(false, 1, 4, 2, 1f, new float[2], 2, new float[4 + Gemm.RowsReadPast + 2], bad, 0f, new float[4], 4, default, false));
        Assert.Contains("row 1", e.Message);
    });

    [Theory]
    [MemberData(nameof(Isas))]
    public void PrepackedWeightsGiveTheSameBitsAsPackingEachCall(string isa) => WithIsa(isa, () =>
    {
        int saved = Threads.Count;
        try
        {
            var rng = new Random(8);
            foreach (var (ta, tb, m, n, k) in new[] { (false, true, 256, 256, 784), (false, true, 64, 10, 128),
                         (true, false, 37, 300, 41), (false, false, 7, 33, 1000), (true, true, 200, 5, 70) })
            {
                Assert.True(Gemm.TakesPackedPath(ta, tb, m, n, k));
                var a = RandomArray(rng, m * k);
                var b = RandomArray(rng, k * n);
                var bias = RandomArray(rng, n);
                var expected = new float[m * n];
                Gemm.Sgemm(ta, tb, m, n, k, 1f, a, ta ? m : k, b, tb ? k : n, 0f, expected, n, bias, relu: true);
                var packed = Gemm.PackWeights(tb, k, n, b, tb ? k : n);
                foreach (int threads in new[] { 1, 2, 3 })
                {
                    Threads.Count = threads;
                    var c = new float[m * n];
                    Gemm.Sgemm(ta, m, n, k, 1f, a, ta ? m : k, packed, 0f, c, n, bias, relu: true);
                    Assert.True(expected.AsSpan().SequenceEqual(c), $"{ta} {tb} {m}x{n}x{k} threads={threads}");
                }
                Assert.Throws<ArgumentException>(() => Gemm.Sgemm(ta, m, n + 1, k, 1f, a, ta ? m : k, packed, 0f, new float[m * (n + 1)], n + 1, default, false));
            }
            if (Gemm.Isa != GemmIsa.Portable)
            {
                var packed = Gemm.PackWeights(false, 8, 8, new float[64], 8);
                WithIsa("Portable", () => Assert.Throws<InvalidOperationException>(() =>
                    Gemm.Sgemm(false, 8, 8, 8, 1f, new float[64], 8, packed, 0f, new float[64], 8, default, false)));
            }
        }
        finally
        {
            Threads.Count = saved;
        }
    });

    [Fact]
    public void TheDefaultKernelIsTheBestTheCpuHas()
    {
        // Unless DENDRITE_GEMM_ISA asks for less; an unsupported kernel is refused with a clear error.
        if (Environment.GetEnvironmentVariable("DENDRITE_GEMM_ISA") is null) Assert.Equal(Gemm.BestIsa, Gemm.Isa);
        if (Gemm.BestIsa < GemmIsa.Avx512)
        {
            var e = Assert.Throws<PlatformNotSupportedException>(() => Gemm.Isa = GemmIsa.Avx512);
            Assert.Contains("Avx512", e.Message);
        }
        WithIsa("Portable", () => Assert.False(Gemm.UsesAvx2));
    }

    [Fact]
    public void FmaKernelsAgreeBitwise()
    {
        // AVX-512's 8×32 and 6×32 tiles and AVX2's 6×16 perform the same FMAs in the same order for every element of
        // C, edge tiles, sliced deep reductions and the epilogue included, so a model gives the same numbers
        // on either kind of CPU.
        var fma = Gemm.SupportedIsas.Where(i => i >= GemmIsa.Avx2).Select(i => i.ToString()).ToList();
        foreach (var (ta, tb, m, n, k) in new[] { (false, false, 257, 255, 1000), (false, true, 64, 256, 784),
                     (true, false, 256, 784, 64), (true, true, 37, 53, 300), (false, false, 6, 784, 25),
                     (false, true, 6, 25, 50176), (false, true, 16, 150, 6400) })
        {
            float[]? first = null;
            foreach (var isa in fma)
            {
                float[] result = [];
                WithIsa(isa, () => result = Run(ta, tb, m, n, k, seed: m + n));
                if (first == null) first = result;
                else Assert.True(first.AsSpan().SequenceEqual(result), $"{isa} differs for {ta} {tb} {m}x{n}x{k}");
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void AlphaBetaVariants(bool transA, bool transB)
    {
        foreach (var (alpha, beta) in new[] { (1f, 1f), (0.5f, -2f), (-1.5f, 0f), (2f, 1f), (0f, 0.5f), (0f, 0f) })
        {
            Check(transA, transB, 37, 53, 300, alpha, beta, 2, false, false, 1);
            Check(transA, transB, 1, 40, 33, alpha, beta, 1, false, false, 2);
            Check(transA, transB, 40, 1, 33, alpha, beta, 1, false, false, 3);
            Check(transA, transB, 4, 4, 4, alpha, beta, 0, false, false, 4);
        }
    }

    public static TheoryData<bool, bool, bool, int> MatrixVectorCases()
    {
        var data = new TheoryData<bool, bool, bool, int>();
        foreach (bool rowVector in new[] { true, false })
            foreach (bool ta in new[] { false, true })
                foreach (bool tb in new[] { false, true })
                    foreach (int k in new[] { 1, 5, 17, 255, 257, 1000, 1025 })
                        data.Add(ta, tb, rowVector, k);
        return data;
    }

    /// <summary>
    /// m = 1 (C a row) and n = 1 (C a column) in every transpose case, on strided views, over depths that
    /// leave every tail of the vector kernels, and lengths that leave partial row groups and column blocks.
    /// </summary>
    [Theory]
    [MemberData(nameof(MatrixVectorCases))]
    public void MatrixVectorMatchesReference(bool transA, bool transB, bool rowVector, int k)
    {
        foreach (int len in new[] { 1, 3, 37, 300 })
        {
            int m = rowVector ? 1 : len, n = rowVector ? len : 1;
            Check(transA, transB, m, n, k, 1f, 0f, 3, bias: false, relu: false, seed: len + k);
            Check(transA, transB, m, n, k, 0.5f, -1.25f, 2, bias: true, relu: true, seed: 2 * len + k);
            WithIsa("Portable", () => Check(transA, transB, m, n, k, 1f, 1f, 1, bias: true, relu: false, seed: 3 * len + k));
        }
    }

    [Theory]
    [MemberData(nameof(Isas))]
    public void SmallBatchRowsMatchSingleRows(string isa) => WithIsa(isa, () =>
    {
        // Up to four rows times Bᵀ run as matrix-vector products: each row of C comes out exactly as the
        // same row multiplied alone would, so an inference result does not depend on the batch around it.
        {
            var rng = new Random(9);
            int n = 301, k = 517;
            var a = RandomArray(rng, 4 * k);
            var b = RandomArray(rng, n * k);
            var bias = RandomArray(rng, n);
            foreach (int m in new[] { 2, 3, 4 })
            {
                var c = new float[m * n];
                Gemm.Sgemm(false, true, m, n, k, 1f, a, k, b, k, 0f, c, n, bias, relu: true);
                for (int i = 0; i < m; i++)
                {
                    var row = new float[n];
                    Gemm.Sgemm(false, true, 1, n, k, 1f, a.AsSpan(i * k, k), k, b, k, 0f, row, n, bias, relu: true);
                    Assert.True(row.AsSpan().SequenceEqual(c.AsSpan(i * n, n)), $"m={m} row {i}");
                }
            }
        }
    });

    [Fact]
    public void BetaZeroIgnoresNaNInC()
    {
        foreach (var (m, n, k) in new[] { (50, 70, 90), (1, 9, 9), (9, 1, 9), (3, 3, 3), (20, 30, 0) })
            Check(false, false, m, n, k, 1.5f, 0f, 1, bias: true, relu: false, seed: 5, nanC: true);
    }

    [Theory]
    [InlineData(7, 9)]
    [InlineData(1, 1)]
    [InlineData(64, 300)]
    public void ZeroDepthScalesC(int m, int n)
    {
        Check(false, false, m, n, 0, 1f, 0.5f, 2, bias: false, relu: false, seed: 6);
        Check(true, true, m, n, 0, 1f, 0f, 0, bias: true, relu: true, seed: 7, nanC: true);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public void FusedBiasAndReLU(bool transA, bool transB)
    {
        foreach (var (m, n, k) in new[] { (64, 256, 300), (61, 77, 513), (1, 33, 20), (33, 1, 20), (5, 5, 5) })
        {
            Check(transA, transB, m, n, k, 1f, 0f, 1, bias: true, relu: true, seed: m + n);
            Check(transA, transB, m, n, k, 0.75f, 1f, 0, bias: true, relu: false, seed: m * n);
            Check(transA, transB, m, n, k, 1f, -0.5f, 2, bias: false, relu: true, seed: k);
        }
    }

    [Fact]
    public void ReLUPropagatesNaN()
    {
        var a = new float[] { float.NaN, 1f };
        var b = new float[] { 1f, 1f };
        var c = new float[1];
        Gemm.Sgemm(false, false, 1, 1, 2, 1f, a, 2, b, 1, 0f, c, 1, default, relu: true);
        Assert.True(float.IsNaN(c[0]));
    }

    [Theory]
    [InlineData(false, false, 300, 700, 530)]
    [InlineData(false, true, 700, 203, 310)]
    [InlineData(true, false, 129, 517, 800)]
    [InlineData(true, true, 517, 129, 257)]
    [InlineData(false, false, 1, 1037, 301)]
    [InlineData(false, true, 1, 1037, 301)]
    [InlineData(true, false, 1, 1037, 301)]
    [InlineData(true, true, 1, 1037, 301)]
    [InlineData(false, false, 1037, 1, 301)]
    [InlineData(false, true, 1037, 1, 301)]
    [InlineData(true, false, 1037, 1, 301)]
    [InlineData(true, true, 1037, 1, 301)]
    [InlineData(false, true, 3, 1037, 301)]
    [InlineData(false, true, 6, 25, 50176)] // deep reductions, sliced
    [InlineData(false, true, 16, 150, 6400)]
    public void BitwiseIdenticalForAnyThreadCount(bool transA, bool transB, int m, int n, int k)
    {
        int savedThreads = Threads.Count;
        try
        {
            foreach (var isa in Gemm.SupportedIsas)
                WithIsa(isa.ToString(), () =>
                {
                    float[]? first = null;
                    foreach (int threads in new[] { 1, 2, 3 })
                    {
                        Threads.Count = threads;
                        var result = Run(transA, transB, m, n, k, seed: 11);
                        if (first == null) first = result;
                        else Assert.True(first.AsSpan().SequenceEqual(result), $"threads={threads} isa={isa}");
                    }
                });
        }
        finally
        {
            Threads.Count = savedThreads;
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void SteadyStateCallAllocatesNothing(int threads)
    {
        int saved = Threads.Count;
        try
        {
            Threads.Count = threads;
            var a = new float[200 * 300];
            var b = new float[300 * 250];
            var c = new float[200 * 250];
            var bias = new float[250];
            var v = new float[300];
            void Calls()
            {
                Gemm.Sgemm(false, false, 200, 250, 300, 1f, a, 300, b, 250, 0f, c, 250);
                Gemm.Sgemm(true, true, 250, 200, 300, 1f, b, 250, a, 300, 1f, c, 200, bias.AsSpan(0, 200), true);
                Gemm.Sgemm(false, true, 1, 200, 300, 1f, v, 300, a, 300, 0f, c, 200);
                Gemm.Sgemm(false, false, 8, 8, 8, 1f, a, 8, b, 8, 0f, c, 8);
            }
            Calls();
            // The JIT may allocate once while it recompiles a method mid-window (tiering); a per-call
            // allocation would show in every window, so one clean window out of several proves there is none.
            long allocated = long.MaxValue;
            for (int window = 0; window < 5 && allocated != 0; window++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < 5; i++) Calls();
                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
            Assert.Equal(0, allocated);
        }
        finally
        {
            Threads.Count = saved;
        }
    }

    [Fact]
    public void RejectsViewsTooSmall()
    {
        var buf = new float[8];
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, buf, 3, new float[9], 3, 0f, new float[9], 3));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, new float[9], 2, new float[9], 3, 0f, new float[9], 3));
        Assert.Throws<ArgumentException>(() => Gemm.Sgemm(false, false, 3, 3, 3, 1f, new float[9], 3, new float[9], 3, 0f,
            new float[9], 3, new float[2], false));
    }

    private static float[] Run(bool transA, bool transB, int m, int n, int k, int seed)
    {
        var rng = new Random(seed);
        var a = RandomArray(rng, m * k);
        var b = RandomArray(rng, k * n);
        var c = RandomArray(rng, m * n);
        var bias = RandomArray(rng, n);
        Gemm.Sgemm(transA, transB, m, n, k, 0.75f, a, transA ? m : k, b, transB ? k : n, 0.5f, c, n, bias, relu: true);
        return c;
    }

    private static float[] RandomArray(Random rng, int length)
    {
        var x = new float[length];
        for (int i = 0; i < x.Length; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }

    /// <summary>
    /// Runs one product on strided views whose padding holds NaN (so any read outside the view shows) and
    /// compares with a double-precision reference. Tolerance: float32 summation of k terms, in any blocked
    /// order, has a rounding error whose typical size grows like sqrt(k)·u·Σ|a·b| (the worst-case bound
    /// is k·u·Σ|a·b|, far too loose to catch real bugs); we allow 4·sqrt(k+2)·u times the sum of the
    /// magnitudes of every term that enters the element, which random inputs stay well inside of.
    /// </summary>
    private static void Check(bool transA, bool transB, int m, int n, int k, float alpha, float beta, int pad,
        bool bias, bool relu, int seed, bool nanC = false)
    {
        var rng = new Random(seed);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + pad, ldb = bCols + pad, ldc = n + pad;
        var a = Strided(rng, aRows, aCols, lda, float.NaN);
        var b = Strided(rng, bRows, bCols, ldb, float.NaN);
        var c = Strided(rng, m, n, ldc, 12345f);
        if (nanC)
            for (int i = 0; i < m; i++)
                for (int j = 0; j < n; j++) c[i * ldc + j] = float.NaN;
        var biasVec = bias ? RandomArray(rng, n) : [];
        var c0 = (float[])c.Clone();

        Gemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, biasVec, relu);

        const double u = 1.0 / (1 << 24);
        double scale = 4 * Math.Sqrt(k + 2) * u;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sum = 0, mag = 0;
                for (int p = 0; p < k; p++)
                {
                    double t = (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                    sum += t;
                    mag += Math.Abs(t);
                }
                double expected = alpha * sum;
                mag = Math.Abs(alpha) * mag;
                if (beta != 0)
                {
                    expected += beta * (double)c0[i * ldc + j];
                    mag += Math.Abs(beta * (double)c0[i * ldc + j]);
                }
                if (bias)
                {
                    expected += biasVec[j];
                    mag += Math.Abs(biasVec[j]);
                }
                if (relu) expected = Math.Max(0, expected);
                double actual = c[i * ldc + j];
                double tol = scale * mag + 1e-30;
                if (!(Math.Abs(actual - expected) <= tol))
                    Assert.Fail($"C[{i},{j}] = {actual}, expected {expected} (tol {tol}) for transA={transA} transB={transB} " +
                    $"m={m} n={n} k={k} alpha={alpha} beta={beta} pad={pad}");
            }
            for (int j = n; j < ldc && i < m - 1; j++)
                Assert.Equal(12345f, c[i * ldc + j]); // padding between rows of C is untouched
        }
    }

    private static float[] Strided(Random rng, int rows, int cols, int ld, float padding)
    {
        var x = new float[rows == 0 ? 0 : (rows - 1) * ld + cols];
        for (int i = 0; i < rows; i++)
            for (int j = 0; j < ld && i * ld + j < x.Length; j++)
                x[i * ld + j] = j < cols ? (float)(rng.NextDouble() * 2 - 1) : padding;
        return x;
    }
}
