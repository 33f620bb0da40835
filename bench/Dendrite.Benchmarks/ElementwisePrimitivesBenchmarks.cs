using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using BenchmarkDotNet.Attributes;
using Dendrite.Kernels;
using Dendrite.Runtime;
using Dendrite.Tensors;

namespace Dendrite.Benchmarks;

/// <summary>
/// The element-wise driver (<c>Elementwise.Unary/Binary</c> with the library's operator structs) against
/// <see cref="TensorPrimitives"/> on the same contiguous arrays, for the ops DESIGN.md names. The driver hands
/// add, mul and ReLU rows of 512 elements or more to TensorPrimitives itself (same bits), so those rows show
/// the driver's overhead; exp, sigmoid and tanh are the library's own scalar operators, kept for their bits
/// and accuracy. One thread on both sides (TensorPrimitives has no threading; the driver would split rows of
/// 131,072 elements or more over the worker pool). docs/architecture.md records the figures and the decision.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Elementwise")]
public class ElementwisePrimitivesBenchmarks
{
    private float[] a = [], b = [], dst = [];
    private int[] shape = [], strides = [];

    [Params(1024, 65536, 1048576)]
    public int N { get; set; } = 1024;

    [Params("add", "mul", "exp", "sigmoid", "tanh", "relu")]
    public string Op { get; set; } = "add";

    [GlobalSetup]
    public void Setup()
    {
        Threads.Count = 1;
        var g = new Generator(42);
        a = Tensor.Randn(g, N).ToArray();
        b = Tensor.Randn(g, N).ToArray();
        dst = new float[N];
        shape = [N];
        strides = [1];
    }

    [Benchmark(Baseline = true)]
    public void Driver()
    {
        switch (Op)
        {
            case "add": Elementwise.Binary(default(AddOp), shape, a, strides, b, strides, dst, strides); break;
            case "mul": Elementwise.Binary(default(MulOp), shape, a, strides, b, strides, dst, strides); break;
            case "exp": Elementwise.Unary(default(ExpOp), shape, a, strides, dst, strides); break;
            case "sigmoid": Elementwise.Unary(default(SigmoidOp), shape, a, strides, dst, strides); break;
            case "tanh": Elementwise.Unary(default(TanhOp), shape, a, strides, dst, strides); break;
            default: Elementwise.Unary(default(ReluOp), shape, a, strides, dst, strides); break;
        }
    }

    [Benchmark]
    public void Primitives()
    {
        switch (Op)
        {
            case "add": TensorPrimitives.Add(a, b, dst); break;
            case "mul": TensorPrimitives.Multiply(a, b, dst); break;
            case "exp": TensorPrimitives.Exp(a, dst); break;
            case "sigmoid": TensorPrimitives.Sigmoid(a, dst); break;
            case "tanh": TensorPrimitives.Tanh(a, dst); break;
            default: TensorPrimitives.Max(a, 0f, dst); break;
        }
    }
}
