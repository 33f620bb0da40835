using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Preprocessing;

namespace Dendrite.Tests.Data;

public sealed class PreprocessingTests
{
    private static CsvTable Table(string text) => CsvTable.Parse(new StringReader(text), "t.csv");

    [Fact]
    public void StandardScaler_UsesThePopulationStd_AndLeavesConstantFeaturesUnscaled()
    {
        var x = Tensor.FromArray([1f, 5f, 2f, 5f, 3f, 5f, 4f, 5f], 4, 2);
        var scaler = StandardScaler.Fit(x);
        Assert.Equal(2.5f, scaler.Mean[0]);
        Assert.Equal((float)Math.Sqrt(1.25), scaler.Std[0], 6);
        Assert.Equal(5f, scaler.Mean[1]);
        Assert.Equal(1f, scaler.Std[1]);
        var y = scaler.Transform(x).ToArray();
        Assert.Equal(0, y.Where((_, i) => i % 2 == 0).Sum(), 5);
        Assert.All(y.Where((_, i) => i % 2 == 1), v => Assert.Equal(0f, v));
        Assert.Throws<ArgumentException>(() => scaler.Transform(Tensor.Zeros(2, 3)));
    }

    [Fact]
    public void Preprocessor_OneHotsTextColumns_StandardisesNumbers_AndRoundTripsThroughJson()
    {
        var table = Table("x,colour,y,label\n1,red,100,a\n2,blue,300,b\n3,red,200,a\n4,green,400,b\n");
        var p = Preprocessor.Fit(table, ["x", "colour", "y"], new PreprocessorOptions());
        Assert.Equal(5, p.Width);
        Assert.Equal(["blue", "green", "red"], p.Columns[1].Encoder!.Categories);
        var encoded = p.Encode(table).ToArray();
        Assert.Equal([1f, 0, 0, 1, 100], encoded[..5]);
        var scaled = p.Transform(table);
        // One-hot outputs stay 0/1; numbers get mean 0.
        Assert.Equal([0f, 0, 1], scaled.ToArray()[1..4]);
        Assert.Equal(0, Enumerable.Range(0, 4).Sum(r => scaled.ToArray()[r * 5 + 4]), 5);

        var back = Preprocessor.Parse(p.ToJson());
        Assert.Equal(p.ToJson(), back.ToJson());
        Assert.Equal(scaled.ToArray(), back.Transform(table).ToArray());

        // Columns are found by name: another order, no target.
        var reordered = Table("y,x,colour\n300,2,blue\n");
        Assert.Equal(scaled.ToArray()[5..10], p.Transform(reordered).ToArray());
        var unknown = Assert.Throws<InvalidDataException>(() => p.Transform(Table("x,colour,y\n1,purple,2\n")));
        Assert.Contains("line 2, column 'colour': 'purple' is not a category", unknown.Message);
    }

    [Fact]
    public void Preprocessor_NamesTheCellThatIsNotANumber_AndImputesMissingOnes()
    {
        var bad = Table("a,b\n1,2\n3,x\n5,6\n");
        var e = Assert.Throws<InvalidDataException>(() => Preprocessor.Fit(bad, ["a", "b"], new PreprocessorOptions()));
        Assert.Contains("t.csv line 3, column 'b': 'x' is not a number", e.Message);

        var holes = Table("a,c\n1,u\nNA,\n4,v\n7,u\n");
        var missing = Assert.Throws<InvalidDataException>(() => Preprocessor.Fit(holes, ["a", "c"], new PreprocessorOptions()));
        Assert.Contains("line 3, column 'a': missing value", missing.Message);
        var mean = Preprocessor.Fit(holes, ["a", "c"], new PreprocessorOptions(Standardize: false, Impute: ImputeStrategy.Mean));
        Assert.Equal([4f, 1, 0], mean.Encode(holes).ToArray()[3..6]);
        Assert.Equal("u", mean.Columns[1].FillCategory);
        Assert.Equal(5.5f, Imputer.Fit([1f, 4f, 7f, 100f], ImputeStrategy.Median).Value);
    }

    [Fact]
    public void StratifiedSplit_KeepsEachClassShare_AndRepeatsWithTheSeed()
    {
        int[] labels = [.. Enumerable.Range(0, 100).Select(i => i < 70 ? 0 : i < 90 ? 1 : 2)];
        var (kept, heldOut) = Dataset.StratifiedSplit(labels, 0.2, new Generator(5));
        Assert.Equal(100, kept.Length + heldOut.Length);
        Assert.Empty(kept.Intersect(heldOut));
        Assert.Equal([14, 4, 2], heldOut.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Equal(heldOut, Dataset.StratifiedSplit(labels, 0.2, new Generator(5)).HeldOut);
        Assert.NotEqual(heldOut, Dataset.StratifiedSplit(labels, 0.2, new Generator(6)).HeldOut);
    }
}
