using Dendrite.Kernels;

namespace Dendrite.Tensors;

public partial class Tensor
{
    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(params int[] shape) => new(Shape.Of(shape));

    /// <summary>A tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape) => Make(shape);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(params int[] shape) => Full(Shape.Of(shape), 1f);

    /// <summary>A tensor of ones.</summary>
    public static Tensor Ones(Shape shape) => Full(shape, 1f);

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(Shape shape, float value)
    {
        var t = Make(shape);
        if (value != 0f) t.Data.AsSpan().Fill(value);
        return t;
    }

    /// <summary>A tensor with every element equal to <paramref name="value"/>.</summary>
    public static Tensor Full(int[] shape, float value) => Full(Shape.Of(shape), value);

    /// <summary>Zeros shaped like <paramref name="other"/>.</summary>
    public static Tensor ZerosLike(Tensor other) => Make(other.Shape);

    /// <summary>Ones shaped like <paramref name="other"/>.</summary>
    public static Tensor OnesLike(Tensor other) => Full(other.Shape, 1f);

    /// <summary>A rank-0 tensor holding one value.</summary>
    public static Tensor Scalar(float value) => Full(Shape.Scalar, value);

    /// <summary>
    /// A tensor of the given shape holding a copy of <paramref name="data"/> in row-major order; with no
    /// shape, a 1-d tensor (<c>Tensor.FromArray([1f, 2f, 3f])</c>). Use <see cref="Scalar"/> for a 0-d one.
    /// </summary>
    public static Tensor FromArray(ReadOnlySpan<float> data, params int[] shape)
    {
        var s = shape is null || shape.Length == 0 ? Shape.Of([data.Length]) : Shape.Of(shape);
        if (data.Length != s.Numel)
            throw new ArgumentException($"FromArray: {data.Length} values cannot fill shape {s} ({s.Numel} elements)");
        var t = Make(s);
        data.CopyTo(t.Data);
        return t;
    }

    /// <summary>A 2-d tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[,] data) => FromMultidimensional(data);

    /// <summary>A 3-d tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[,,] data) => FromMultidimensional(data);

    /// <summary>A 4-d tensor holding a copy of <paramref name="data"/>.</summary>
    public static Tensor FromArray(float[,,,] data) => FromMultidimensional(data);

    private static Tensor FromMultidimensional(Array data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var shape = new int[data.Rank];
        for (int d = 0; d < data.Rank; d++) shape[d] = data.GetLength(d);
        var t = Make(Shape.Of(shape));
        // A multidimensional array enumerates in row-major order.
        int i = 0;
        foreach (float v in data) t.Data[i++] = v;
        return t;
    }

    /// <summary>0, 1, ..., end − 1.</summary>
    public static Tensor Arange(float end) => Arange(0, end, 1);

    /// <summary>Values from <paramref name="start"/> up to (not including) <paramref name="end"/> in steps of <paramref name="step"/>.</summary>
    public static Tensor Arange(float start, float end, float step = 1)
    {
        if (step == 0 || float.IsNaN(step))
            throw new ArgumentException($"Arange: step must be non-zero, got {step}");
        if (!float.IsFinite(start) || !float.IsFinite(end))
            throw new ArgumentException($"Arange: start and end must be finite, got {start} and {end}");
        double count = Math.Ceiling(((double)end - start) / step);
        if (count > int.MaxValue)
            throw new ArgumentException($"Arange: [{start}, {end}) in steps of {step} has too many elements");
        int n = (int)Math.Max(0, count);
        var t = Make(Shape.Of([n]));
        for (int i = 0; i < n; i++) t.Data[i] = (float)(start + (double)i * step);
        return t;
    }

    /// <summary><paramref name="steps"/> evenly spaced values from <paramref name="start"/> to <paramref name="end"/> inclusive.</summary>
    public static Tensor Linspace(float start, float end, int steps)
    {
        if (steps < 0) throw new ArgumentException($"Linspace: steps must not be negative, got {steps}");
        var t = Make(Shape.Of([steps]));
        if (steps == 1) t.Data[0] = start;
        double step = steps > 1 ? ((double)end - start) / (steps - 1) : 0;
        // Fill from both ends, as PyTorch does, so the last value is exactly `end`.
        for (int i = 0; i < steps; i++)
            t.Data[i] = i < steps / 2 ? (float)(start + step * i) : (float)(end - step * (steps - 1 - i));
        return t;
    }

    /// <summary>An identity matrix (n×m; ones on the main diagonal).</summary>
    public static Tensor Eye(int n, int? m = null)
    {
        int cols = m ?? n;
        var t = Make(Shape.Of([n, cols]));
        for (int i = 0; i < Math.Min(n, cols); i++) t.Data[i * cols + i] = 1f;
        return t;
    }

    /// <summary>Uniform samples from [0, 1) drawn from the default generator.</summary>
    public static Tensor Rand(params int[] shape) => Rand(Generator.Default, shape);

    /// <summary>Uniform samples from [0, 1).</summary>
    public static Tensor Rand(Generator generator, params int[] shape) => Sample(generator, shape, normal: false);

    /// <summary>Standard normal samples drawn from the default generator.</summary>
    public static Tensor Randn(params int[] shape) => Randn(Generator.Default, shape);

    /// <summary>Standard normal samples.</summary>
    public static Tensor Randn(Generator generator, params int[] shape) => Sample(generator, shape, normal: true);

    // Rand and Randn: one draw per element, in row-major order.
    private static Tensor Sample(Generator generator, int[] shape, bool normal)
    {
        ArgumentNullException.ThrowIfNull(generator);
        var t = Make(Shape.Of(shape));
        for (int i = 0; i < t.Numel; i++) t.Data[i] = normal ? generator.NextNormal() : generator.NextFloat();
        return t;
    }

    /// <summary>Uniform integers in [low, high), stored as floats.</summary>
    public static Tensor RandInt(int low, int high, int[] shape, Generator? generator = null)
    {
        if (high <= low) throw new ArgumentException($"RandInt: high ({high}) must be greater than low ({low})");
        var g = generator ?? Generator.Default;
        var t = Make(Shape.Of(shape));
        for (int i = 0; i < t.Numel; i++) t.Data[i] = g.NextInt64(low, high);
        return t;
    }

    /// <summary>1 with probability p[i] and 0 otherwise, element by element (like <c>torch.bernoulli</c>).</summary>
    public static Tensor Bernoulli(Tensor probabilities, Generator? generator = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var g = generator ?? Generator.Default;
        var p = probabilities.ToArray();
        var t = Make(probabilities.Shape);
        for (int i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0f && p[i] <= 1f))
                throw new ArgumentException($"Bernoulli: probabilities must lie in [0, 1], got {p[i]} at flat index {i}");
            t.Data[i] = g.NextFloat() < p[i] ? 1f : 0f;
        }
        return t;
    }

    /// <summary>1 with probability <paramref name="p"/> and 0 otherwise.</summary>
    public static Tensor Bernoulli(float p, int[] shape, Generator? generator = null)
    {
        if (!(p >= 0f && p <= 1f)) throw new ArgumentException($"Bernoulli: p must lie in [0, 1], got {p}");
        var g = generator ?? Generator.Default;
        var t = Make(Shape.Of(shape));
        for (int i = 0; i < t.Numel; i++) t.Data[i] = g.NextFloat() < p ? 1f : 0f;
        return t;
    }
}
