using BenchmarkDotNet.Attributes;
using Dendrite.Kernels;
using Dendrite.Runtime;
using Dendrite.Tensors;

namespace Dendrite.Benchmarks;

/// <summary>
/// One GEMM problem: C[m,n] = op(A)·op(B) with op(A) m×k and op(B) k×n, each operand stored densely
/// (row stride = its stored column count) in the layout its transposition flag implies.
/// </summary>
public sealed record GemmShape(string Label, int M, int K, int N, bool TransA = false, bool TransB = false) : IFlopCount
{
    public double Flops => 2.0 * M * N * K;

    public int Lda => TransA ? M : K;

    public int Ldb => TransB ? K : N;

    public string Op => (TransA ? "T" : "N") + (TransB ? "T" : "N");

    // BenchmarkDotNet prints this in the parameter column (GemmConfig widens it to fit): label, m×k×n, op.
    public override string ToString() => $"{Label} {M}x{K}x{N} {Op}";

    /// <summary>Random operands for this shape, seeded so every run multiplies the same numbers.</summary>
    public (float[] A, float[] B, float[] C) Operands(ulong seed = 42)
    {
        var g = new Generator(seed);
        return (Tensor.Randn(g, M * K).ToArray(), Tensor.Randn(g, K * N).ToArray(), new float[M * N]);
    }
}

/// <summary>
/// <c>Gemm.Sgemm</c> (α = 1, β = 0) on square matrices, the MLP's layer shapes, a conv-like skinny shape and a
/// batch-1 matrix-vector product. Layer shapes are m×k×n = batch × in × out: a Linear layer's forward pass is
/// NT (X·Wᵀ), its input gradient NN (dY·W) and its weight gradient TN (dYᵀ·X), so all three are measured.
/// </summary>
[Config(typeof(GemmConfig))]
[MemoryDiagnoser]
[BenchmarkCategory("Gemm")]
public class GemmBenchmarks
{
    private float[] a = [], b = [], c = [];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    public static IEnumerable<GemmShape> Shapes()
    {
        string[] ops = ["NN", "NT", "TN"];
        (string Label, int M, int K, int N)[] shapes =
        [
            ("square", 128, 128, 128),
            ("square", 512, 512, 512),
            ("square", 1024, 1024, 1024),
            ("mlp-fc1", 64, 784, 256),
            ("mlp-fc1-b256", 256, 784, 256),
            ("mlp-fc2", 64, 256, 128),
        ];
        foreach (var s in shapes)
            foreach (var op in ops)
                yield return new GemmShape(s.Label, s.M, s.K, s.N, op[0] == 'T', op[1] == 'T');
        // LeNet's first convolution as im2col: 6 filters × 25 taps times 25 × 784 output pixels.
        yield return new GemmShape("conv-skinny", 6, 25, 784);
        // Batch-1 inference through the first layer: a matrix-vector product, which skips packing.
        yield return new GemmShape("gemv", 1, 784, 256);
        yield return new GemmShape("gemv", 1, 784, 256, TransB: true);
    }

    [GlobalSetup]
    public void Setup() => (a, b, c) = Shape.Operands();

    [Benchmark]
    public void Sgemm()
    {
        var s = Shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, s.Lda, b, s.Ldb, 0f, c, s.N);
    }
}

/// <summary>
/// The fused epilogue: a Linear+ReLU forward pass (NT, 64×784×256) with bias and ReLU applied inside the GEMM,
/// against the same GEMM followed by separate element-wise bias and ReLU passes, and the bare GEMM.
/// </summary>
[Config(typeof(GemmConfig))]
[MemoryDiagnoser]
[BenchmarkCategory("Gemm")]
public class GemmEpilogueBenchmarks
{
    private float[] a = [], b = [], c = [], bias = [];
    private int[] shape = [], cStrides = [], biasStrides = [];

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    public static IEnumerable<GemmShape> Shapes() => [new GemmShape("mlp-fc1", 64, 784, 256, TransB: true)];

    [GlobalSetup]
    public void Setup()
    {
        (a, b, c) = Shape.Operands();
        bias = Tensor.Randn(new Generator(7), Shape.N).ToArray();
        shape = [Shape.M, Shape.N];
        cStrides = [Shape.N, 1];
        biasStrides = [0, 1];
    }

    [Benchmark(Baseline = true)]
    public void Plain()
    {
        var s = Shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, s.Lda, b, s.Ldb, 0f, c, s.N);
    }

    [Benchmark]
    public void FusedBiasRelu()
    {
        var s = Shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, s.Lda, b, s.Ldb, 0f, c, s.N, bias, relu: true);
    }

    [Benchmark]
    public void SeparateBiasRelu()
    {
        var s = Shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, s.Lda, b, s.Ldb, 0f, c, s.N);
        Elementwise.Binary(default(AddOp), shape, c, cStrides, bias, biasStrides, c, cStrides);
        Elementwise.Unary(default(ReluOp), shape, c, cStrides, c, cStrides);
    }
}

/// <summary>
/// The micro-kernel paths on one thread: the AVX-512 6×32 and AVX2+FMA 6×16 kernels against the portable Vector128 one, on
/// square NN products, so the figure is per-core kernel throughput with no threading in it.
/// </summary>
[Config(typeof(GemmConfig))]
[MemoryDiagnoser]
[BenchmarkCategory("Gemm")]
public class GemmKernelBenchmarks
{
    private float[] a = [], b = [], c = [];
    private int savedThreads;
    private GemmIsa savedIsa;

    [ParamsSource(nameof(Shapes))]
    public GemmShape Shape { get; set; } = null!;

    [Params("avx512", "avx2", "portable")]
    public string Kernel { get; set; } = "avx512";

    public static IEnumerable<GemmShape> Shapes() =>
        [new GemmShape("square", 128, 128, 128), new GemmShape("square", 512, 512, 512)];

    [GlobalSetup]
    public void Setup()
    {
        (a, b, c) = Shape.Operands();
        savedThreads = Threads.Count;
        savedIsa = Gemm.Isa;
        Threads.Count = 1;
        // A kernel this CPU lacks runs the best one it has (the row then repeats that kernel's figure).
        var asked = Enum.Parse<GemmIsa>(Kernel, ignoreCase: true);
        Gemm.Isa = asked <= Gemm.BestIsa ? asked : Gemm.BestIsa;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Threads.Count = savedThreads;
        Gemm.Isa = savedIsa;
    }

    [Benchmark]
    public void Sgemm()
    {
        var s = Shape;
        Gemm.Sgemm(s.TransA, s.TransB, s.M, s.N, s.K, 1f, a, s.Lda, b, s.Ldb, 0f, c, s.N);
    }
}
