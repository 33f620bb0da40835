using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.Autograd;
using Dendrite.Data.Datasets;
using Dendrite.Data.Formats;
using Dendrite.Data.Preprocessing;
using Dendrite.Serialization;
using Dendrite.Tests.Data;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary><c>dendrite train</c>'s defaults, splits and the preprocessing stored with the model.</summary>
public sealed class PreprocessingCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>
    /// tools/parity/wine_sklearn.py measured scikit-learn's MLPClassifier(64) on StandardScaler'd features of
    /// the same stratified 80/20 splits: median test accuracy 1.0000 over seeds 0–4 (docs/training.md).
    /// </summary>
    private const double ScikitLearnWineMedian = 1.0;

    [Fact]
    public void Wine_WithNoOptions_MatchesScikitLearnsMlp()
    {
        string run = dir.File("wine");
        var r = Run("train", "--model", "mlp:64", "--data", TestData.Wine, "--target", "class", "--test-split", "0.2", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("numeric features standardised", r.Out);
        Assert.True(FinalAccuracy(r) >= ScikitLearnWineMedian, r.Out);
        // Stratified: 59, 71 and 48 wines per class give 12, 14 and 10 test rows.
        var test = File.ReadAllLines(Path.Combine(run, "test-rows.txt")).Select(int.Parse).ToList();
        var table = CsvTable.Load(TestData.Wine);
        int column = table.IndexOf("class");
        var perClass = test.GroupBy(i => table.Rows[i][column]).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => g.Count());
        Assert.Equal([12, 14, 10], perClass);
    }

    [Fact]
    public void Lenet5_WithDefaultOptions_Reaches90PercentAfterOneEpoch()
    {
        var r = Run("train", "--model", "lenet5", "--data", TestData.MnistSample, "--epochs", "1", "--out", dir.File("lenet"));
        Assert.True(r.Code == 0, r.Err);
        Assert.True(FinalAccuracy(r) >= 0.90, r.Out);
        var facts = ModelFile.Load(dir.File("lenet/model.safetensors")).Facts;
        var images = Preprocessor.FromMetadata(facts);
        Assert.NotNull(images?.Scaler);
        Assert.Single(images.Scaler.Mean);
        Assert.InRange(images.Scaler.Mean[0], 0.1f, 0.15f); // MNIST's mean pixel, 0.13

        // predict on a PNG standardises its pixels as training did: the same probabilities as the library's pipeline.
        var digit = Mnist.Load(TestData.MnistSample, train: false).Inputs[0];
        string png = dir.File("digit.png");
        File.WriteAllBytes(png, Png.Encode(digit));
        var predict = Run("predict", "--model", dir.File("lenet/model.safetensors"), "--input", png, "--json");
        Assert.True(predict.Code == 0, predict.Err);
        var expected = TrainedModel.Load(dir.File("lenet/model.safetensors")).Predict(digit.Reshape(1, 1, 28, 28)).Softmax(1).ToArray();
        using var json = JsonDocument.Parse(predict.Out);
        var probabilities = json.RootElement.GetProperty("probabilities").EnumerateObject().Select(p => p.Value.GetSingle()).ToArray();
        for (int c = 0; c < 10; c++) Assert.Equal(expected[c], probabilities[c], 5);
    }

    /// <summary>Two numeric columns on very different scales and a text column that decides the class with them.</summary>
    private string MixedCsv(string name, int rows, int seed)
    {
        var g = new Generator((ulong)seed);
        var csv = new StringBuilder("size,colour,weight,label\n");
        string[] colours = ["red", "green", "blue"];
        for (int i = 0; i < rows; i++)
        {
            double size = g.NextNormal(), weight = 1000 + 300 * g.NextNormal();
            int colour = (int)g.NextInt64(0, 3);
            string label = size + (weight - 1000) / 300 + (colour == 0 ? 1.5 : 0) > 0.5 ? "big" : "small";
            csv.Append(CultureInfo.InvariantCulture, $"{size:0.###},{colours[colour]},{weight:0.#},{label}\n");
        }
        string path = dir.File(name);
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    [Fact]
    public void EvaluateAndPredict_OnRawRows_GiveWhatTheTrainedPipelineGives()
    {
        string train = MixedCsv("train.csv", 200, 1), test = MixedCsv("test.csv", 60, 2);
        string run = dir.File("mixed");
        var r = Run("train", "--model", "mlp:16", "--data", train, "--target", "label", "--test", test, "--epochs", "30", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("1 text column one-hot encoded", r.Out);
        string modelPath = Path.Combine(run, "model.safetensors");
        var (model, _, facts) = ModelFile.Load(modelPath);
        var preprocessor = Preprocessor.FromMetadata(facts)!;
        Assert.Equal(5, preprocessor.Width); // size, 3 colours, weight
        Assert.Equal(["blue", "green", "red"], preprocessor.Columns[1].Encoder!.Categories);

        // What the trained pipeline computes on the raw rows, through the library.
        var table = CsvTable.Load(test);
        float[] expected;
        using (GradMode.NoGrad()) expected = model.Forward(preprocessor.Transform(table)).Softmax(1).ToArray();

        var predict = Run("predict", "--model", modelPath, "--input", test, "--json");
        Assert.True(predict.Code == 0, predict.Err);
        var lines = predict.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(60, lines.Length);
        int correct = 0;
        for (int i = 0; i < lines.Length; i++)
        {
            using var json = JsonDocument.Parse(lines[i]);
            var p = json.RootElement.GetProperty("probabilities");
            Assert.Equal(expected[2 * i], p.GetProperty("big").GetSingle(), 6);
            Assert.Equal(expected[2 * i + 1], p.GetProperty("small").GetSingle(), 6);
            if (json.RootElement.GetProperty("class").GetString() == table.Rows[i][3]) correct++;
        }

        // The ONNX file standardises in its graph: fed the encoded raw rows, it gives the model's outputs.
        string onnx = dir.File("mixed.onnx");
        var export = Run("export", "--model", modelPath, "--out", onnx);
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("colour → blue/green/red", export.Out);
        var trained = TrainedModel.Load(modelPath);
        Serialization.OnnxExportTests.AssertOnnxRuntimeAgrees(File.ReadAllBytes(onnx), preprocessor.Encode(table), trained.Predict(table), 1e-4f, "mixed CSV");

        var evaluate = Run("evaluate", "--model", modelPath, "--data", test, "--json");
        Assert.True(evaluate.Code == 0, evaluate.Err);
        using var results = JsonDocument.Parse(evaluate.Out);
        double accuracy = results.RootElement.GetProperty("accuracy").GetDouble();
        Assert.Equal(correct / 60.0, accuracy, 6);
        Assert.Equal(double.Parse(facts["test_accuracy"], CultureInfo.InvariantCulture), accuracy, 6);
        Assert.True(accuracy > 0.85, $"accuracy {accuracy}");
    }

    [Fact]
    public void OnnxExport_OfAStandardisedModel_TakesRawRows()
    {
        string run = dir.File("wine-onnx");
        var r = Run("train", "--model", "mlp:8", "--data", TestData.Wine, "--target", "class", "--epochs", "3", "--out", run);
        Assert.True(r.Code == 0, r.Err);
        string onnx = dir.File("wine.onnx");
        var export = Run("export", "--model", Path.Combine(run, "model.safetensors"), "--out", onnx);
        Assert.True(export.Code == 0, export.Err);
        Assert.Contains("standardises its input", export.Out);
        // The CSV's numbers as they are, target column left out: the raw rows.
        var table = CsvTable.Load(TestData.Wine);
        var raw = CsvDataset.Load(TestData.Wine, "class").Inputs;
        var trained = TrainedModel.Load(Path.Combine(run, "model.safetensors"));
        var expected = trained.Predict(table);
        Assert.Equal(expected.ToArray(), trained.Predict(raw).ToArray());
        Serialization.OnnxExportTests.AssertOnnxRuntimeAgrees(File.ReadAllBytes(onnx), raw, expected, 1e-4f, "wine");
    }

    [Fact]
    public void MissingCells_AreAnErrorNamingLineAndColumn_OrImputed()
    {
        string csv = dir.File("holes.csv");
        File.WriteAllText(csv, "a,b,label\n1,10,x\n2,,y\n3,30,x\n4,40,y\n5,?,x\n6,60,y\n");
        AssertOneLineError(Run("train", "--model", "mlp:4", "--data", csv, "--target", "label", "--epochs", "1", "--out", dir.File("e")),
            1, "line 3, column 'b': missing value");

        var r = Run("train", "--model", "mlp:4", "--data", csv, "--target", "label", "--epochs", "1", "--impute", "median", "--out", dir.File("m"));
        Assert.True(r.Code == 0, r.Err);
        var preprocessor = Preprocessor.FromMetadata(ModelFile.Load(dir.File("m/model.safetensors")).Facts)!;
        Assert.Equal(35f, preprocessor.Columns[1].Imputer!.Value); // median of 10, 30, 40, 60
        Assert.Null(preprocessor.Columns[0].Imputer);
        var predict = Run("predict", "--model", dir.File("m/model.safetensors"), "--input", csv);
        Assert.True(predict.Code == 0, predict.Err);
    }

    [Fact]
    public void NoStandardize_StoresNoScaler_AndTestSplitIsForCsvsOnly()
    {
        string csv = MixedCsv("plain.csv", 40, 3);
        var r = Run("train", "--model", "mlp:4", "--data", csv, "--target", "label", "--epochs", "1", "--no-standardize", "--out", dir.File("n"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Null(Preprocessor.FromMetadata(ModelFile.Load(dir.File("n/model.safetensors")).Facts)!.Scaler);
        Assert.Contains("training accuracy", r.Out);
        AssertOneLineError(Run("train", "--model", "lenet5", "--data", TestData.MnistSample, "--test-split", "0.2", "--out", dir.File("x")), 2, "--test-split");
        AssertOneLineError(Run("train", "--model", "mlp:4", "--data", csv, "--target", "label", "--test-split", "0.2", "--test", csv, "--out", dir.File("y")), 2, "not both");
    }
}
