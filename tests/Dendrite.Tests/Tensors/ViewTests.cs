namespace Dendrite.Tests.Tensors;

public class ViewTests
{
    [Fact]
    public void ViewsShareStorage()
    {
        var x = Tensor.Arange(6).Reshape(2, 3);
        var t = x.T;
        Assert.False(t.IsContiguous);
        Assert.Equal(new[] { 1, 3 }, t.Strides.ToArray());
        t[2, 1].Fill_(100f);
        Assert.Equal(100f, x[1, 2].Item());
        x.Narrow(1, 0, 1).Fill_(-1f);
        Assert.Equal([-1f, 1f, 2f, -1f, 4f, 100f], x.ToArray());
    }

    [Fact]
    public void ReshapeCopiesOnlyWhenItMust()
    {
        var x = Tensor.Arange(6).Reshape(2, 3);
        var r = x.Reshape(3, 2);
        r[0, 0].Fill_(9f);
        Assert.Equal(9f, x[0, 0].Item()); // a view
        var fromTransposed = x.T.Reshape(-1);
        Assert.Equal([9f, 3f, 1f, 4f, 2f, 5f], fromTransposed.ToArray());
        Assert.Throws<InvalidOperationException>(() => x.T.View(6));
        Assert.Equal(new[] { 6 }, x.Flatten().Shape.ToArray());
    }

    [Fact]
    public void PermuteSqueezeUnsqueezeExpand()
    {
        var x = Tensor.Arange(24).Reshape(2, 3, 4);
        var p = x.Permute(2, 0, 1);
        Assert.Equal(new[] { 4, 2, 3 }, p.Shape.ToArray());
        Assert.Equal(x[1, 2, 3].Item(), p[3, 1, 2].Item());
        var u = Tensor.Zeros(3).Unsqueeze(0).Unsqueeze(-1);
        Assert.Equal(new[] { 1, 3, 1 }, u.Shape.ToArray());
        Assert.Equal(new[] { 3 }, u.Squeeze().Shape.ToArray());
        Assert.Equal(new[] { 3, 1 }, u.Squeeze(0).Shape.ToArray());
        Assert.Equal(new[] { 1, 3, 1 }, u.Squeeze(1).Shape.ToArray()); // size 3: unchanged, as in PyTorch
        var e = Tensor.FromArray([1f, 2f], 2, 1).Expand(2, 3);
        Assert.Equal([1f, 1f, 1f, 2f, 2f, 2f], e.ToArray());
        Assert.Equal(0, e.Strides[1]);
        Assert.Equal(new[] { 4, 2, 3 }, e.Expand(4, -1, -1).Shape.ToArray());
    }

    [Fact]
    public void SliceWithStepsAndNegativeBounds()
    {
        var x = Tensor.Arange(10);
        Assert.Equal([1f, 4f, 7f], x.Slice(0, 1, 9, 3).ToArray());
        Assert.Equal([7f, 8f], x.Slice(0, -3, -1).ToArray());
        Assert.Equal(0, x.Slice(0, 5, 2).Numel);
        Assert.Equal([8f, 9f], x.Slice(0, 8, 100).ToArray());
        Assert.Equal(5f, x[5].Item());
        Assert.Equal(9f, x[-1].Item());
    }
}
