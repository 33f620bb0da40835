using Dendrite.Data;

namespace Dendrite.Tests.Data;

public class DataLoaderTests
{
    // Inputs [10,3] whose row i holds i, 100+i, 200+i; targets [10] holding i — so every batch shows which samples it has.
    private static TensorDataset Numbered(int n = 10)
    {
        var inputs = new float[n * 3];
        for (int i = 0; i < n; i++) (inputs[3 * i], inputs[3 * i + 1], inputs[3 * i + 2]) = (i, 100 + i, 200 + i);
        return new TensorDataset(Tensor.FromArray(inputs, n, 3), Tensor.Arange(n));
    }

    private static int[] Ids(Batch b) => Array.ConvertAll(b.Targets.ToArray(), v => (int)v);

    [Fact]
    public void TensorDatasetChecksFirstDimensions()
    {
        var e = Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Zeros(4, 2), Tensor.Zeros(5)));
        Assert.Contains("[4,2]", e.Message);
        Assert.Contains("[5]", e.Message);
        Assert.Throws<ArgumentException>(() => new TensorDataset(Tensor.Scalar(1), Tensor.Zeros(1)));
    }

    [Fact]
    public void TensorDatasetIndexesRows()
    {
        var ds = Numbered();
        Assert.Equal(10, ds.Count);
        var (x, t) = ds[3];
        Assert.Equal([3f, 103f, 203f], x.ToArray());
        Assert.Equal(0, t.Rank);
        Assert.Equal(3f, t.Item());
        Assert.Throws<ArgumentOutOfRangeException>(() => ds[10]);
    }

    [Fact]
    public void BatchesInOrderWithSmallerLastBatch()
    {
        var loader = new DataLoader(Numbered(), 4);
        var batches = loader.ToList();
        Assert.Equal(3, loader.Count);
        Assert.Equal(3, batches.Count);
        Assert.Equal(new Shape([4, 3]), batches[0].Inputs.Shape);
        Assert.Equal(new Shape([4]), batches[0].Targets.Shape);
        Assert.Equal(new Shape([2, 3]), batches[2].Inputs.Shape);
        Assert.Equal([0, 1, 2, 3], Ids(batches[0]));
        Assert.Equal([8, 9], Ids(batches[2]));
        Assert.Equal([5f, 105f, 205f, 6f, 106f, 206f], batches[1].Inputs.Narrow(0, 1, 2).ToArray());
    }

    [Fact]
    public void DropLastSkipsThePartialBatch()
    {
        var loader = new DataLoader(Numbered(), 4, dropLast: true);
        Assert.Equal(2, loader.Count);
        Assert.Equal([4, 4], loader.Select(b => b.Size));
        Assert.Equal(5, new DataLoader(Numbered(), 2, dropLast: true).Count());
    }

    [Fact]
    public void BatchSizeMustBePositive()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(), 0));
        Assert.Contains("batch size must be positive, got 0", e.Message);
    }

    [Fact]
    public void ShuffleIsSeededAndDiffersBetweenEpochs()
    {
        List<int[]> Epochs(ulong seed)
        {
            var loader = new DataLoader(Numbered(50), 7, shuffle: true, generator: new Generator(seed));
            return [.. Enumerable.Range(0, 3).Select(_ => loader.SelectMany(Ids).ToArray())];
        }
        var a = Epochs(42);
        var b = Epochs(42);
        var c = Epochs(43);
        for (int e = 0; e < 3; e++)
        {
            Assert.Equal(a[e], b[e]);
            Assert.Equal(Enumerable.Range(0, 50), a[e].Order());
        }
        Assert.NotEqual(a[0], a[1]);
        Assert.NotEqual(a[1], a[2]);
        Assert.NotEqual(a[0], c[0]);
        Assert.NotEqual(Enumerable.Range(0, 50), a[0]);
    }

    [Fact]
    public void ShuffledBatchesKeepInputsWithTheirTargets()
    {
        foreach (var batch in new DataLoader(Numbered(), 3, shuffle: true, generator: new Generator(1)))
        {
            var x = batch.Inputs.ToArray();
            var ids = Ids(batch);
            for (int i = 0; i < ids.Length; i++) Assert.Equal([ids[i], 100f + ids[i], 200f + ids[i]], x[(3 * i)..(3 * i + 3)]);
        }
    }

    // A dataset that is not a TensorDataset goes through per-sample Stack; it must batch the same way.
    private sealed class Squares(int n) : IDataset
    {
        public int Count => n;
        public (Tensor Input, Tensor Target) this[int index] =>
            (Tensor.FromArray([index, index * index]), Tensor.FromArray([index % 2f], 1));
    }

    [Fact]
    public void GenericDatasetsAreStacked()
    {
        var batches = new DataLoader(new Squares(5), 2).ToList();
        Assert.Equal(3, batches.Count);
        Assert.Equal(new Shape([2, 2]), batches[0].Inputs.Shape);
        Assert.Equal(new Shape([2, 1]), batches[0].Targets.Shape);
        Assert.Equal([2f, 4f, 3f, 9f], batches[1].Inputs.ToArray());
        Assert.Equal([0f, 1f], batches[1].Targets.ToArray());
        Assert.Equal(new Shape([1, 2]), batches[2].Inputs.Shape);
    }

    private sealed class Ragged : IDataset
    {
        public int Count => 2;
        public (Tensor Input, Tensor Target) this[int index] => (Tensor.Zeros(index + 1), Tensor.Zeros(1));
    }

    [Fact]
    public void SamplesOfDifferentShapesCannotBeStacked()
    {
        var e = Assert.Throws<InvalidOperationException>(() => new DataLoader(new Ragged(), 2).ToList());
        Assert.Contains("[1]", e.Message);
        Assert.Contains("[2]", e.Message);
    }

    [Fact]
    public void SubsetsOfTensorDatasetsBatchTheirOwnRows()
    {
        var subset = new Subset(new Subset(Numbered(), [9, 7, 5, 3, 1]), [4, 0, 2]);
        var batch = Assert.Single(new DataLoader(subset, 8));
        Assert.Equal([1, 9, 5], Ids(batch));
        Assert.Equal([1f, 101f, 201f], batch.Inputs.Narrow(0, 0, 1).ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Subset(Numbered(), [10]));
    }

    [Fact]
    public void NonContiguousTensorsBatchCorrectly()
    {
        // Columns of a transposed matrix: sample i is column i of a [3,4] tensor.
        var m = Tensor.Arange(12).Reshape(3, 4);
        var batch = new DataLoader(new TensorDataset(m.T, Tensor.Arange(4)), 2).First();
        Assert.Equal([0f, 4f, 8f, 1f, 5f, 9f], batch.Inputs.ToArray());
    }
}
