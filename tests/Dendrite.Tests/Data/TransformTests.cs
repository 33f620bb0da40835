using Dendrite.Data;
using Dendrite.Data.Transforms;

namespace Dendrite.Tests.Data;

public class TransformTests
{
    private static Tensor Numbered(int c, int h, int w) => Tensor.Arange(c * h * w).Reshape(c, h, w) + 1;

    [Fact]
    public void ShiftByOnePixelMovesTheImageExactly()
    {
        var x = Numbered(2, 4, 5);
        var right = RandomShift.Shift(x, 1, 0);
        var down = RandomShift.Shift(x, 0, 1);
        var a = x.ToArray();
        var r = right.ToArray();
        var d = down.ToArray();
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 4; y++)
                for (int col = 0; col < 5; col++)
                {
                    int i = (c * 4 + y) * 5 + col;
                    Assert.Equal(col == 0 ? 0 : a[i - 1], r[i]);
                    Assert.Equal(y == 0 ? 0 : a[i - 5], d[i]);
                }
        // Shifting (-2, +3) and back restores the pixels that stayed inside (columns 0-2, row 0) and zeroes the rest.
        var back = RandomShift.Shift(RandomShift.Shift(x, -2, 3), 2, -3).ToArray();
        for (int i = 0; i < 40; i++)
        {
            int col = i % 5, y = i / 5 % 4;
            Assert.Equal(col >= 2 && y == 0 ? a[i] : 0, back[i]);
        }
        Assert.Equal(new float[40], RandomShift.Shift(x, 5, 0).ToArray());
    }

    [Fact]
    public void RotationByZeroIsIdentityAndByNinetyIsExact()
    {
        var x = Tensor.Rand(new Generator(1), 2, 5, 5);
        Assert.Equal(x.ToArray(), RandomRotation.Rotate(x, 0).ToArray());
        // 90° counter-clockwise: out[y, x] = in[x, W-1-y].
        var r = RandomRotation.Rotate(x, 90).ToArray();
        var a = x.ToArray();
        for (int c = 0; c < 2; c++)
            for (int y = 0; y < 5; y++)
                for (int col = 0; col < 5; col++)
                    Assert.Equal(a[(c * 5 + col) * 5 + (4 - y)], r[(c * 5 + y) * 5 + col], 5);
        // [H, W] images keep their rank.
        Assert.Equal(new Shape([5, 5]), RandomRotation.Rotate(x.Select(0, 0), 10).Shape);
    }

    [Fact]
    public void RotationFillsOutsideWithZeroAndInterpolates()
    {
        var ones = Tensor.Ones(1, 6, 6);
        var r = RandomRotation.Rotate(ones, 45).ToArray();
        Assert.True(r[0] < 0.5f); // a corner comes from outside the image
        Assert.Equal(1f, r[(0 * 6 + 2) * 6 + 3], 5); // the centre stays inside
        Assert.All(r, v => Assert.InRange(v, 0f, 1.00001f));
    }

    [Fact]
    public void RandomTransformsAreDeterministicForASeed()
    {
        var x = Tensor.Rand(new Generator(2), 1, 8, 8);
        var t1 = new Compose(new RandomShift(2, new Generator(5)), new RandomRotation(15, new Generator(6)));
        var t2 = new Compose(new RandomShift(2, new Generator(5)), new RandomRotation(15, new Generator(6)));
        var outputs = new List<float[]>();
        for (int i = 0; i < 5; i++)
        {
            var a = t1.Apply(x).ToArray();
            Assert.Equal(a, t2.Apply(x).ToArray());
            outputs.Add(a);
        }
        Assert.True(outputs.Distinct(new ArrayComparer()).Count() > 1); // successive draws differ
        // Shifts stay within the bound: every shifted image equals one of the 25 possible shifts.
        var shift = new RandomShift(2, new Generator(9));
        for (int i = 0; i < 20; i++)
        {
            var s = shift.Apply(x).ToArray();
            bool found = false;
            for (int dx = -2; dx <= 2; dx++)
                for (int dy = -2; dy <= 2; dy++)
                    found |= s.SequenceEqual(RandomShift.Shift(x, dx, dy).ToArray());
            Assert.True(found);
        }
    }

    private sealed class ArrayComparer : IEqualityComparer<float[]>
    {
        public bool Equals(float[]? a, float[]? b) => a!.SequenceEqual(b!);
        public int GetHashCode(float[] a) => a.Length == 0 ? 0 : a[0].GetHashCode();
    }

    [Fact]
    public void NormalizeStandardisesEachChannel()
    {
        var x = Tensor.FromArray([1f, 2f, 3f, 4f, 10f, 20f, 30f, 40f], 2, 2, 2);
        var n = new Normalize([2f, 20f], [0.5f, 10f]).Apply(x);
        Assert.Equal(x.Shape, n.Shape);
        Assert.Equal([-2f, 0f, 2f, 4f, -1f, 0f, 1f, 2f], n.ToArray());
        Assert.Equal([1f, 2f, 3f, 4f, 10f, 20f, 30f, 40f], x.ToArray()); // input untouched
        Assert.Equal([0f, 1f], new Normalize([1f], [1f]).Apply(Tensor.FromArray([1f, 2f], 1, 2)).ToArray());
        var e = Assert.Throws<ArgumentException>(() => new Normalize([0f, 0f, 0f], [1f, 1f, 1f]).Apply(x));
        Assert.Contains("3 means for an input with 2 channels (shape [2,2,2])", e.Message);
        Assert.Throws<ArgumentException>(() => new Normalize([0f], [0f]));
        Assert.Throws<ArgumentException>(() => new Normalize([0f, 1f], [1f]));
    }

    [Fact]
    public void ResizeIsBilinearWithHalfPixelCentres()
    {
        var x = Tensor.FromArray([0f, 1f, 2f, 3f], 1, 2, 2);
        var up = new Resize(4, 4).Apply(x).ToArray();
        // PyTorch: F.interpolate(x, size=4, mode="bilinear", align_corners=False), first row.
        Assert.Equal(new[] { 0f, 0.25f, 0.75f, 1f }, up[..4]);
        Assert.Equal(new[] { 2f, 2.25f, 2.75f, 3f }, up[12..]);
        Assert.Equal([1.5f], new Resize(1, 1).Apply(x).ToArray());
        Assert.Equal(x.ToArray(), new Resize(2, 2).Apply(x).ToArray());
    }

    [Fact]
    public void TransformedDatasetAppliesToInputsOnly()
    {
        var ds = new TensorDataset(Tensor.Ones(3, 1, 2, 2), Tensor.FromArray([0f, 1f, 2f]));
        var t = new TransformedDataset(ds, new Normalize([0.5f], [0.5f]));
        Assert.Equal(3, t.Count);
        var (x, y) = t[1];
        Assert.Equal([1f, 1f, 1f, 1f], x.ToArray());
        Assert.Equal(1f, y.Item());
        var batch = new DataLoader(t, 3).Single();
        Assert.Equal(new Shape([3, 1, 2, 2]), batch.Inputs.Shape);
    }
}
