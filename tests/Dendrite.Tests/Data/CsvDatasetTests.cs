using Dendrite.Data;
using Dendrite.Data.Datasets;

namespace Dendrite.Tests.Data;

public class CsvDatasetTests
{
    private static CsvDataset Parse(string text, string target = "species", bool regression = false) =>
        CsvDataset.Parse(new StringReader(text), target, regression, "iris.csv");

    private static string Error(string text, string target = "species", bool regression = false)
    {
        var e = Assert.Throws<InvalidDataException>(() => Parse(text, target, regression));
        Assert.StartsWith("CSV: iris.csv", e.Message);
        return e.Message;
    }

    [Fact]
    public void ReadsFeaturesAndMapsClassesInSortedOrder()
    {
        var ds = Parse("sepal_length,species,petal_width\r\n5.1,setosa,0.2\r\n\r\n7.0,versicolor,1.4\n6.3,\"virginica\",2.5\n4.9,setosa,-1e-1\n");
        Assert.Equal(4, ds.Count);
        Assert.Equal(["sepal_length", "petal_width"], ds.FeatureNames);
        Assert.Equal(["setosa", "versicolor", "virginica"], ds.Classes);
        Assert.Equal(new Shape([4, 2]), ds.Inputs.Shape);
        Assert.Equal([5.1f, 0.2f, 7.0f, 1.4f, 6.3f, 2.5f, 4.9f, -0.1f], ds.Inputs.ToArray());
        Assert.Equal([0f, 1f, 2f, 0f], ds.Targets.ToArray());
        var (x, t) = ds[2];
        Assert.Equal([6.3f, 2.5f], x.ToArray());
        Assert.Equal(2f, t.Item());
        // Batches like any dataset.
        Assert.Equal(2, new DataLoader(ds, 2).Count());
    }

    [Fact]
    public void RegressionKeepsNumericTargets()
    {
        var ds = Parse("x,y\n1,10.5\n2,-3\n", target: "y", regression: true);
        Assert.Null(ds.Classes);
        Assert.Equal([10.5f, -3f], ds.Targets.ToArray());
        Assert.Contains("line 3, column 'y': 'big' is not a number", Error("x,y\n1,2\n2,big\n", "y", regression: true));
    }

    [Fact]
    public void HandlesRfc4180Quoting()
    {
        var ds = Parse("a,\"label, with comma\"\n\"1.5\",\"say \"\"hi\"\", ok\"\n2,\"two\nlines\"\n3,plain\n", target: "label, with comma");
        Assert.Equal(["plain", "say \"hi\", ok", "two\nlines"], ds.Classes);
        Assert.Equal([1f, 2f, 0f], ds.Targets.ToArray());
        Assert.Equal([1.5f, 2f, 3f], ds.Inputs.ToArray());
        // Line numbers count physical lines, so a record after a multi-line field is reported where it is.
        Assert.Contains("line 6, column 'a': 'x' is not a number", Error("a,species\n1,\"p\nq\"\n\n\nx,s\n"));
    }

    [Fact]
    public void BadRowsNameTheLineAndColumn()
    {
        string text = "sepal_length,petal_width,species\n5.1,0.2,setosa\nabc,0.3,setosa\n";
        Assert.Equal("CSV: iris.csv line 3, column 'sepal_length': 'abc' is not a number", Error(text));
        Assert.Equal("CSV: iris.csv line 3: 2 fields, the header has 3", Error("sepal_length,petal_width,species\n5.1,0.2,setosa\n5,setosa\n"));
        Assert.Equal("CSV: iris.csv line 2, column 'petal_width': empty value", Error("sepal_length,petal_width,species\n5.1,,setosa\n"));
        Assert.Contains("not closed", Error("a,species\n1,\"open\n"));
        Assert.Contains("line 2: a quote inside an unquoted field", Error("a,species\n1,ab\"c\n"));
        Assert.Contains("line 2: text after the closing quote", Error("a,species\n1,\"ab\"c\n"));
    }

    [Fact]
    public void MissingTargetAndEmptyFilesAreErrors()
    {
        Assert.Equal("CSV: iris.csv: no column 'species'; the columns are 'a', 'b'", Error("a,b\n1,2\n"));
        Assert.Equal("CSV: iris.csv: empty file (expected a header row)", Error("\n\n"));
        Assert.Equal("CSV: iris.csv: no data rows after the header", Error("a,species\n"));
    }

    [Fact]
    public void LoadReadsFilesAndNamesThem()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("iris.csv"), "f,species\n1,a\nq,b\n");
        var e = Assert.Throws<InvalidDataException>(() => CsvDataset.Load(dir.File("iris.csv"), "species"));
        Assert.Equal($"CSV: {dir.File("iris.csv")} line 3, column 'f': 'q' is not a number", e.Message);
        File.WriteAllText(dir.File("ok.csv"), "\uFEFFf,species\n1,a\n");
        Assert.Equal(1, CsvDataset.Load(dir.File("ok.csv"), "species").Count);
        Assert.Throws<FileNotFoundException>(() => CsvDataset.Load(dir.File("none.csv"), "species"));
    }
}
