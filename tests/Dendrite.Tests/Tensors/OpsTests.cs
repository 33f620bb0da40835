namespace Dendrite.Tests.Tensors;

public class OpsTests
{
    private static Tensor M(float[,] values) => Tensor.FromArray(values);

    [Fact]
    public void BroadcastingFollowsNumPy()
    {
        var a = M(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } });
        Assert.Equal([11f, 22f, 33f, 14f, 25f, 36f], (a + Tensor.FromArray([10f, 20f, 30f])).ToArray());
        var col = Tensor.FromArray([1f, 2f], 2, 1);
        Assert.Equal([0f, 1f, 2f, 2f, 3f, 4f], (a - col).ToArray());
        var outer = Tensor.FromArray([1f, 2f], 2, 1) * Tensor.FromArray([1f, 10f, 100f], 1, 3);
        Assert.Equal(new[] { 2, 3 }, outer.Shape.ToArray());
        Assert.Equal([1f, 10f, 100f, 2f, 20f, 200f], outer.ToArray());
        Assert.Equal([0.5f, 1f, 1.5f, 2f, 2.5f, 3f], (a / 2f).ToArray());
        Assert.Equal([-1f, -2f, -3f, -4f, -5f, -6f], (-a).ToArray());
        Assert.Equal([2f, 1f, 2f / 3, 0.5f, 0.4f, 2f / 6], (2f / a).ToArray());
    }

    [Fact]
    public void ShapeMismatchNamesTheOpAndBothShapes()
    {
        var e = Assert.Throws<ArgumentException>(() => Tensor.Zeros(2, 3) + Tensor.Zeros(4));
        Assert.Equal("Add: shapes [2,3] and [4] cannot be broadcast together", e.Message);
        var m = Assert.Throws<ArgumentException>(() => Tensor.Zeros(3, 4).MatMul(Tensor.Zeros(5, 2)));
        Assert.Equal("MatMul: cannot multiply [3,4] by [5,2]", m.Message);
        Assert.Contains("Mul", Assert.Throws<ArgumentException>(() => Tensor.Zeros(2) * Tensor.Zeros(3)).Message);
        Assert.Contains("[2,3]", Assert.Throws<ArgumentException>(() => Tensor.Cat([Tensor.Zeros(2, 3), Tensor.Zeros(3, 2)], 0)).Message);
    }

    [Fact]
    public void InvalidAxesAndIndicesAreReported()
    {
        var x = Tensor.Zeros(2, 3);
        Assert.Contains("axis 2 is out of range for a tensor of rank 2", Assert.Throws<ArgumentOutOfRangeException>(() => x.Sum(2)).Message);
        Assert.Contains("Transpose", Assert.Throws<ArgumentOutOfRangeException>(() => x.Transpose(0, -3)).Message);
        Assert.Contains("index 5 is out of range", Assert.Throws<IndexOutOfRangeException>(() => x.Select(1, 5)).Message);
        Assert.Contains("Narrow", Assert.Throws<ArgumentOutOfRangeException>(() => x.Narrow(1, 2, 2)).Message);
        Assert.Contains("Gather: index 3 is out of range for axis 1 of size 3",
            Assert.Throws<IndexOutOfRangeException>(() => x.Gather(1, Tensor.FromArray([3f], 1, 1))).Message);
        Assert.Contains("whole numbers", Assert.Throws<ArgumentException>(() => x.IndexSelect(0, Tensor.FromArray([0.5f]))).Message);
        Assert.Contains("OneHot", Assert.Throws<IndexOutOfRangeException>(() => Tensor.OneHot(Tensor.FromArray([4f]), 3)).Message);
        Assert.Contains("Reshape", Assert.Throws<ArgumentException>(() => x.Reshape(4, -1)).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => x.Permute(0, 0)).Message);
        Assert.Contains("Expand", Assert.Throws<ArgumentException>(() => x.Expand(3, 3)).Message);
    }

    [Fact]
    public void NanAndInfinityFlowThroughArithmeticAsIeeeSays()
    {
        var x = Tensor.FromArray([float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, 1f]);
        var y = x / Tensor.FromArray([1f, 1f, 1f, 0f, 0f]);
        var v = y.ToArray();
        Assert.True(float.IsNaN(v[0]));
        Assert.Equal(float.PositiveInfinity, v[1]);
        Assert.Equal(float.NegativeInfinity, v[2]);
        Assert.True(float.IsNaN(v[3])); // 0/0
        Assert.Equal(float.PositiveInfinity, v[4]);
        Assert.True(float.IsNaN(x.Sum().Item()));
        Assert.True(float.IsNaN(x.Max().Item()));
        Assert.True(float.IsNaN(x.Relu().ToArray()[0]));
        Assert.Equal([0f, 1f, 0f, 0.5f, 0.7310586f], x.Sigmoid().ToArray().Skip(0).Select((s, i) => i == 0 ? 0f : s).ToArray(), new FloatTolerance(1e-6f));
        Assert.Equal(float.NegativeInfinity, Tensor.FromArray([0f]).Log().Item());
        Assert.True(float.IsNaN(Tensor.FromArray([-1f]).Sqrt().Item()));
        Assert.True(float.IsNaN(Tensor.FromArray([float.NaN]).Sign().Item()));
        Assert.Equal(1f, Tensor.FromArray([float.NegativeInfinity, 0f]).Softmax(0).ToArray()[1]);
    }

    [Fact]
    public void ElementWiseFunctions()
    {
        var x = Tensor.FromArray([-2f, -0.5f, 0f, 1.5f]);
        Assert.Equal([2f, 0.5f, 0f, 1.5f], x.Abs().ToArray());
        Assert.Equal([-1f, -1f, 0f, 1f], x.Sign().ToArray());
        Assert.Equal([-1f, -0.5f, 0f, 1f], x.Clamp(-1f, 1f).ToArray());
        Assert.Equal([0f, 0f, 0f, 1.5f], x.Relu().ToArray());
        Assert.Equal([4f, 0.25f, 0f, 2.25f], x.Pow(2).ToArray());
        Assert.Equal([1f, 2f, 3f], Tensor.FromArray([1f, 4f, 9f]).Sqrt().ToArray());
        Assert.Equal(MathF.Exp(1.5f), x.Exp().ToArray()[3], 5);
        Assert.Equal(MathF.Tanh(-0.5f), x.Tanh().ToArray()[1], 6);
        var y = Tensor.FromArray([0f, 0f, 1f, 1f]);
        Assert.Equal([0f, 0f, 1f, 1.5f], Tensor.Maximum(x, y).ToArray());
        Assert.Equal([-2f, -0.5f, 0f, 1f], Tensor.Minimum(x, y).ToArray());
        Assert.Equal([0f, 0f, 0f, 1f], x.Gt(0f).ToArray());
        Assert.Equal([1f, 1f, 1f, 0f], x.Le(y).ToArray());
        Assert.Equal([0f, 0f, 1f, 0f], x.Eq(0f).ToArray());
        Assert.Equal([0f, 0f, 0f, 1.5f], Tensor.Where(x.Ge(0f), x, Tensor.Scalar(0f)).ToArray());
        Assert.Equal([8f, 9f], Tensor.Pow(Tensor.FromArray([2f, 3f]), Tensor.FromArray([3f, 2f])).ToArray());
    }

    [Fact]
    public void ReductionsOverAnyAxes()
    {
        var x = Tensor.Arange(24).Reshape(2, 3, 4);
        Assert.Equal(276f, x.Sum().Item());
        Assert.Equal(new[] { 3, 4 }, x.Sum(0).Shape.ToArray());
        Assert.Equal(new[] { 2, 1, 4 }, x.Sum(1, keepDim: true).Shape.ToArray());
        Assert.Equal([60f, 66f, 72f, 78f], x.Sum([0, 1]).ToArray());
        Assert.Equal([66f, 210f], x.Sum([1, 2]).ToArray());
        Assert.Equal([60f, 92f, 124f], x.Sum([0, 2]).ToArray()); // scattered axes
        Assert.Equal(11.5f, x.Mean().Item());
        Assert.Equal([1.5f, 5.5f, 9.5f, 13.5f, 17.5f, 21.5f], x.Mean(-1).ToArray());
        var m = Tensor.FromArray(new float[,] { { 1, 5, 5 }, { 7, 2, 0 } });
        var (values, indices) = m.Max(1);
        Assert.Equal([5f, 7f], values.ToArray());
        Assert.Equal([1f, 0f], indices.ToArray()); // first of tied maxima
        Assert.Equal([0f, 1f, 1f], m.ArgMin(0).ToArray());
        Assert.Equal(3f, m.ArgMax().Item());
        Assert.Equal(7f, m.Max().Item());
        Assert.Equal(0f, m.Min().Item());
        Assert.Equal([5f, 7f], m.Amax([1]).ToArray());
        Assert.Equal(new[] { 2, 1 }, m.Min(1, keepDim: true).Values.Shape.ToArray());
        var lse = m.LogSumExp(1).ToArray();
        Assert.Equal(MathF.Log(MathF.Exp(1) + 2 * MathF.Exp(5)), lse[0], 5);
        Assert.Equal(1001f + MathF.Log(1 + MathF.Exp(-1)), Tensor.FromArray([1000f, 1001f]).LogSumExp(0).Item(), 3);
        var v = Tensor.FromArray([1f, 2f, 3f, 4f]);
        Assert.Equal(5f / 3, v.Var().Item(), 6);
        Assert.Equal(1.25f, v.Var(correction: 0).Item(), 6);
        Assert.Equal(MathF.Sqrt(5f / 3), v.Std().Item(), 6);
    }

    [Fact]
    public void MatMulFollowsTorchRules()
    {
        var a = M(new float[,] { { 1, 2 }, { 3, 4 } });
        var b = M(new float[,] { { 5, 6 }, { 7, 8 } });
        Assert.Equal([19f, 22f, 43f, 50f], a.MatMul(b).ToArray());
        Assert.Equal([26f, 30f, 38f, 44f], a.T.MatMul(b).ToArray());   // transposed view, no copy
        Assert.Equal([17f, 23f, 39f, 53f], a.MatMul(b.T).ToArray());
        Assert.Equal(11f, Tensor.FromArray([1f, 2f]).MatMul(Tensor.FromArray([3f, 4f])).Item());
        Assert.Equal([5f, 11f], a.MatMul(Tensor.FromArray([1f, 2f])).ToArray());
        Assert.Equal([7f, 10f], Tensor.FromArray([1f, 2f]).MatMul(a).ToArray());
        var batch = Tensor.Stack([a, b]);
        var r = batch.MatMul(Tensor.Eye(2));
        Assert.Equal(new[] { 2, 2, 2 }, r.Shape.ToArray());
        Assert.Equal(batch.ToArray(), r.ToArray());
        var broadcast = Tensor.Ones(3, 1, 2, 4).MatMul(Tensor.Ones(5, 4, 6));
        Assert.Equal(new[] { 3, 5, 2, 6 }, broadcast.Shape.ToArray());
        Assert.All(broadcast.ToArray(), x => Assert.Equal(4f, x));
        Assert.Equal(new[] { 2, 0 }, Tensor.Zeros(2, 3).MatMul(Tensor.Zeros(3, 0)).Shape.ToArray());
        Assert.Equal([0f, 0f, 0f, 0f], Tensor.Zeros(2, 0).MatMul(Tensor.Zeros(0, 2)).ToArray());
    }

    [Fact]
    public void JoiningAndIndexing()
    {
        var a = M(new float[,] { { 1, 2 }, { 3, 4 } });
        var b = M(new float[,] { { 5, 6 } });
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], Tensor.Cat([a, b]).ToArray());
        Assert.Equal([1f, 2f, 1f, 2f, 3f, 4f, 3f, 4f], Tensor.Cat([a, a], 1).ToArray());
        var s = Tensor.Stack([Tensor.FromArray([1f, 2f]), Tensor.FromArray([3f, 4f])], 1);
        Assert.Equal(new[] { 2, 2 }, s.Shape.ToArray());
        Assert.Equal([1f, 3f, 2f, 4f], s.ToArray());
        Assert.Equal([2f, 1f, 3f, 3f], a.Gather(1, M(new float[,] { { 1, 0 }, { 0, 0 } })).ToArray());
        Assert.Equal([3f, 4f, 1f, 2f, 3f, 4f], a.IndexSelect(0, 1, 0, 1).ToArray());
        Assert.Equal([2f, 4f], a.IndexSelect(1, Tensor.FromArray([1f])).ToArray());
        var oh = Tensor.OneHot(Tensor.FromArray([2f, 0f]), 3);
        Assert.Equal(new[] { 2, 3 }, oh.Shape.ToArray());
        Assert.Equal([0f, 0f, 1f, 1f, 0f, 0f], oh.ToArray());
        Assert.Equal(new[] { 1, 3 }, Tensor.OneHot(Tensor.FromArray([2f])).Shape.ToArray());
    }

    [Fact]
    public void InPlaceOpsChangeTheTensorAndItsViews()
    {
        var x = Tensor.Zeros(2, 3);
        x.Select(1, 1).Fill_(5f);
        Assert.Equal([0f, 5f, 0f, 0f, 5f, 0f], x.ToArray());
        x.Add_(Tensor.FromArray([1f, 1f, 1f]), alpha: 2f);
        Assert.Equal([2f, 7f, 2f, 2f, 7f, 2f], x.ToArray());
        x.Mul_(0.5f);
        Assert.Equal([1f, 3.5f, 1f, 1f, 3.5f, 1f], x.ToArray());
        x.T.CopyFrom_(Tensor.Arange(6).Reshape(3, 2));
        Assert.Equal([0f, 2f, 4f, 1f, 3f, 5f], x.ToArray());
        Assert.Throws<ArgumentException>(() => x.Add_(Tensor.Zeros(3, 3)));
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float a, float b) => Math.Abs(a - b) <= tolerance;
        public int GetHashCode(float obj) => 0;
    }
}
