using Dendrite.Kernels;

namespace Dendrite.Tests.Kernels;

/// <summary>The vectorised runs of the element-wise driver must agree bit for bit with the scalar operators.</summary>
public class ElementwiseTests
{
    private static float[] Values(int n, int seed)
    {
        var g = new Generator((ulong)seed);
        var special = new[] { float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -0f, 1e-30f, -1e30f };
        return Enumerable.Range(0, n).Select(i => i % 5 == 3 ? special[i % special.Length] : g.NextNormal() * 4).ToArray();
    }

    private static void Same(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]) ||
                        (float.IsNaN(expected[i]) && float.IsNaN(actual[i])), $"{what}[{i}]: {expected[i]} vs {actual[i]}");
    }

    private static void CheckUnary<TOp>(TOp op) where TOp : unmanaged, IUnaryOperator
    {
        foreach (int n in new[] { 1, 7, 8, 9, 16, 31, 100 })
        {
            var x = Values(n, n);
            var dst = new float[n];
            Elementwise.Unary(op, [n], x, [1], dst, [1]);
            Same(x.Select(op.Invoke).ToArray(), dst, $"{typeof(TOp).Name} n={n}");
        }
    }

    private static void CheckBinary<TOp>(TOp op) where TOp : unmanaged, IBinaryOperator
    {
        foreach (int n in new[] { 1, 7, 8, 9, 16, 31, 100 })
        {
            var a = Values(n, n);
            var b = Values(n, n + 100);
            var dst = new float[n];
            Elementwise.Binary(op, [n], a, [1], b, [1], dst, [1]);
            Same(a.Zip(b, op.Invoke).ToArray(), dst, $"{typeof(TOp).Name} n={n}");
            Elementwise.Binary(op, [n], a, [1], b, [0], dst, [1]); // b broadcast
            Same(a.Select(v => op.Invoke(v, b[0])).ToArray(), dst, $"{typeof(TOp).Name} broadcast b n={n}");
            Elementwise.Binary(op, [n], a, [0], b, [1], dst, [1]); // a broadcast
            Same(b.Select(v => op.Invoke(a[0], v)).ToArray(), dst, $"{typeof(TOp).Name} broadcast a n={n}");
        }
    }

    [Fact]
    public void VectorisedUnaryOperatorsMatchScalar()
    {
        CheckUnary(default(IdentityOp));
        CheckUnary(new ConstantOp(2.5f));
        CheckUnary(default(NegOp));
        CheckUnary(default(SqrtOp));
        CheckUnary(default(AbsOp));
        CheckUnary(default(ReluOp));
    }

    [Fact]
    public void VectorisedBinaryOperatorsMatchScalar()
    {
        CheckBinary(default(AddOp));
        CheckBinary(default(SubOp));
        CheckBinary(default(MulOp));
        CheckBinary(default(DivOp));
        CheckBinary(default(ReluGradOp));
        CheckBinary(default(SigmoidGradOp));
        CheckBinary(default(TanhGradOp));
    }

    [Fact]
    public void StridedAndMergedDimensions()
    {
        // A [3,4] view with row stride 5 inside a 15-element buffer, added to a row broadcast.
        var src = Enumerable.Range(0, 15).Select(i => (float)i).ToArray();
        var row = new float[] { 100, 200, 300, 400 };
        var dst = new float[12];
        Elementwise.Binary(default(AddOp), [3, 4], src, [5, 1], row, [0, 1], dst, [4, 1]);
        Assert.Equal([100f, 201, 302, 403, 105, 206, 307, 408, 110, 211, 312, 413], dst);
    }
}
