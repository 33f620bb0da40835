#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 09-im2col (docs/course/09-why-gemm.md). Write im2col: the k×k patches of an image x [C, H, W] as the
// columns of a matrix [C·k·k, (H − k + 1)·(W − k + 1)] (stride 1, no padding), each column one patch read channel
// by channel, row by row — the order of a Conv2d weight [O, C, k, k] flattened to [O, C·k·k]. The check multiplies
// random filters by your matrix and compares the product with Conv2d.
// Tensor operations that help: x[c] (one channel), Narrow(axis, start, length), Reshape, Tensor.Stack.
// Run: dotnet run -c Release examples/course/exercises/09-im2col.cs
using Dendrite.NN.Layers;
using Dendrite.Tensors;

try
{
    var generator = new Generator(seed: 9);
    foreach (var (channels, height, width, k) in new[] { (1, 6, 6, 3), (3, 7, 5, 2), (6, 14, 14, 5) })
    {
        var x = Tensor.Randn(generator, channels, height, width);
        var conv = new Conv2d(channels, 4, k, generator: generator);
        var expected = conv.Call(x.Unsqueeze(0));
        int outH = height - k + 1, outW = width - k + 1;
        var columns = Im2Col(x, k);
        int[] shape = columns.Shape.ToArray();
        if (!shape.SequenceEqual([channels * k * k, outH * outW]))
            return NotYet($"for x [{channels}, {height}, {width}] and k = {k} the matrix should be [{channels * k * k}, {outH * outW}], yours is [{string.Join(", ", shape)}]");
        var product = conv.Weight.Reshape(4, -1).MatMul(columns) + conv.Bias!.Reshape(4, 1);
        var a = product.ToArray();
        var b = expected.ToArray();
        for (int i = 0; i < a.Length; i++)
            if (!(Math.Abs(a[i] - b[i]) <= 1e-4))
                return NotYet($"for x [{channels}, {height}, {width}] and k = {k}, filters x your matrix differ from Conv2d at output {i} ({a[i]:0.####} against {b[i]:0.####}): check the order of the rows");
    }
    Console.WriteLine("exercise 09-im2col: passed");
    return 0;
}
catch (NotImplementedException)
{
    return NotYet("Im2Col still throws NotImplementedException: fill in the region between the markers");
}

static int NotYet(string why)
{
    Console.WriteLine($"exercise 09-im2col: not yet - {why}");
    return 1;
}

static Tensor Im2Col(Tensor x, int k)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
