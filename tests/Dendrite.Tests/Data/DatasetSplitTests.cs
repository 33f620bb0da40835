using Dendrite.Data;

namespace Dendrite.Tests.Data;

public class DatasetSplitTests
{
    private static TensorDataset Range(int n) => new(Tensor.Arange(n).Reshape(n, 1), Tensor.Arange(n));

    private static int[] Ids(Subset s) => [.. s.Indices];

    [Fact]
    public void SplitsByCountsIntoDisjointCoveringParts()
    {
        var parts = Dataset.RandomSplit(Range(20), [12, 5, 3], new Generator(7));
        Assert.Equal([12, 5, 3], parts.Select(p => p.Count));
        var all = parts.SelectMany(Ids).ToArray();
        Assert.Equal(20, all.Distinct().Count());
        Assert.Equal(Enumerable.Range(0, 20), all.Order());
        Assert.NotEqual(Enumerable.Range(0, 12), Ids(parts[0]));
        // The subset's samples are the dataset's samples at its indices.
        Assert.Equal(parts[1].Indices[2], (int)parts[1][2].Target.Item());
    }

    [Fact]
    public void SplitsByFractionsLikePyTorch()
    {
        // floor(0.7·11) = 7, floor(0.3·11) = 3, the remaining one goes to the first part.
        var parts = Dataset.RandomSplit(Range(11), [0.7, 0.3], new Generator(1));
        Assert.Equal([8, 3], parts.Select(p => p.Count));
        Assert.Empty(Ids(parts[0]).Intersect(Ids(parts[1])));
    }

    [Fact]
    public void SplitIsSeeded()
    {
        var a = Dataset.RandomSplit(Range(30), [0.5, 0.5], new Generator(3));
        var b = Dataset.RandomSplit(Range(30), [0.5, 0.5], new Generator(3));
        var c = Dataset.RandomSplit(Range(30), [0.5, 0.5], new Generator(4));
        Assert.Equal(Ids(a[0]), Ids(b[0]));
        Assert.NotEqual(Ids(a[0]), Ids(c[0]));
    }

    [Fact]
    public void TrainValidationSplitSizes()
    {
        var (train, validation) = Dataset.TrainValidationSplit(Range(50), 0.2, new Generator(5));
        Assert.Equal(40, train.Count);
        Assert.Equal(10, validation.Count);
        Assert.Empty(Ids(train).Intersect(Ids(validation)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Dataset.TrainValidationSplit(Range(5), 1.0));
    }

    [Fact]
    public void BadSplitsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(Range(10), [3, 4]));
        Assert.Contains("add up to 7", e.Message);
        Assert.Contains("10 samples", e.Message);
        Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(Range(10), [12, -2]));
        Assert.Throws<ArgumentException>(() => Dataset.RandomSplit(Range(10), [0.5, 0.4]));
    }
}
