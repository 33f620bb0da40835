using Dendrite.Tests.Parity;

namespace Dendrite.Tests.Tensors;

public class FormatTests
{
    public static IEnumerable<object[]> Cases => ParityFixture.Names("format.json");

    [Theory]
    [MemberData(nameof(Cases))]
    public void PrintsLikePyTorch(string name)
    {
        var c = ParityFixture.Load("format.json")[name];
        var x = c.Tensor("x").Detach();
        if (c.HasAttr("requires_grad")) x.RequiresGrad = true;
        Assert.Equal(c.Text("text"), x.ToString());
    }

    [Fact]
    public void NonLeafShowsItsGradFn()
    {
        var x = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        Assert.Equal("tensor([2., 4.], grad_fn=<MulBackward>)", (x * 2f).ToString());
    }

    [Fact]
    public void NonContiguousViewPrintsItsOwnOrder()
    {
        var x = Tensor.FromArray(new float[,] { { 1, 2, 3 }, { 4, 5, 6 } }).T;
        Assert.Equal("tensor([[1., 4.],\n        [2., 5.],\n        [3., 6.]])", x.ToString());
    }
}
