using BenchmarkDotNet.Attributes;
using Dendrite.Kernels;
using Dendrite.Tensors;

namespace Dendrite.Benchmarks;

/// <summary>
/// Element-wise operations through the public <see cref="Tensor"/> API (each call allocates its result, as a
/// user's code would), and the internal <c>Elementwise.Binary</c> driver on contiguous arrays with no
/// allocation, which isolates the kernel loop from the tensor plumbing.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("Elementwise")]
public class ElementwiseBenchmarks
{
    private Tensor x = null!, y = null!, rowBias = null!;
    private float[] a = [], b = [], dst = [];
    private int[] shape = [], strides = [];

    [Params("64x256", "256x1024")]
    public string Size { get; set; } = "64x256";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Size.Split('x');
        int rows = int.Parse(parts[0]), cols = int.Parse(parts[1]);
        var g = new Generator(42);
        x = Tensor.Randn(g, rows, cols);
        y = Tensor.Randn(g, rows, cols);
        rowBias = Tensor.Randn(g, cols);
        a = x.ToArray();
        b = y.ToArray();
        dst = new float[rows * cols];
        shape = [rows, cols];
        strides = [cols, 1];
    }

    [Benchmark]
    public Tensor Add() => x + y;

    /// <summary>[rows,cols] + [cols]: the bias add of a Linear layer, broadcasting over rows.</summary>
    [Benchmark]
    public Tensor AddBroadcast() => x + rowBias;

    [Benchmark]
    public Tensor Relu() => x.Relu();

    [Benchmark]
    public Tensor Exp() => x.Exp();

    [Benchmark]
    public Tensor Sigmoid() => x.Sigmoid();

    [Benchmark]
    public void DriverBinaryAdd() => Elementwise.Binary(default(AddOp), shape, a, strides, b, strides, dst, strides);

    [Benchmark]
    public void DriverBinaryMul() => Elementwise.Binary(default(MulOp), shape, a, strides, b, strides, dst, strides);
}

/// <summary>Sum over each axis of a matrix: axis 0 reduces across rows (strided), axis 1 along rows (contiguous).</summary>
[MemoryDiagnoser]
[BenchmarkCategory("Reduction")]
public class ReductionBenchmarks
{
    private Tensor x = null!;

    [Params("64x256", "256x1024")]
    public string Size { get; set; } = "64x256";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Size.Split('x');
        x = Tensor.Randn(new Generator(42), int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [Benchmark]
    public Tensor SumAxis0() => x.Sum(0);

    [Benchmark]
    public Tensor SumAxis1() => x.Sum(1);

    [Benchmark]
    public Tensor SumAll() => x.Sum();
}

/// <summary>Softmax and LogSoftmax over the last axis: MNIST logits [64,10] and ImageNet-sized logits [256,1000].</summary>
[MemoryDiagnoser]
[BenchmarkCategory("Softmax")]
public class SoftmaxBenchmarks
{
    private Tensor logits = null!;

    [Params("64x10", "256x1000")]
    public string Size { get; set; } = "64x10";

    [GlobalSetup]
    public void Setup()
    {
        var parts = Size.Split('x');
        logits = Tensor.Randn(new Generator(42), int.Parse(parts[0]), int.Parse(parts[1]));
    }

    [Benchmark]
    public Tensor Softmax() => logits.Softmax(-1);

    [Benchmark]
    public Tensor LogSoftmax() => logits.LogSoftmax(-1);
}
