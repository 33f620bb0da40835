using System.Globalization;
using System.Text;
using System.Text.Json;
using Dendrite.Serialization;
using Dendrite.Tests.Data;
using static Dendrite.Tests.Cli.CliRun;

namespace Dendrite.Tests.Cli;

/// <summary><c>train --model perceptron</c>: the perceptron rule, on the shape <c>summary</c> shows.</summary>
public sealed class PerceptronCliTests : IDisposable
{
    private readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    [Fact]
    public void Perceptron_TrainsByTheRule_OnLinearlySeparableRows()
    {
        var g = new Generator(9);
        var csv = new StringBuilder("x,y,label\n");
        for (int i = 0; i < 120; i++)
        {
            double x = g.NextNormal() * 50, y = g.NextNormal();
            if (Math.Abs(y - x / 100) < 0.1) continue; // a margin, so the rule converges
            csv.Append(CultureInfo.InvariantCulture, $"{x:0.###},{y:0.###},{(y > x / 100 ? "above" : "below")}\n");
        }
        string data = dir.File("line.csv");
        File.WriteAllText(data, csv.ToString());

        var r = Run("train", "--model", "perceptron", "--data", data, "--target", "label", "--test-split", "0.25", "--out", dir.File("p"));
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("perceptron rule", r.Out);
        Assert.Contains("converged after", r.Out);
        Assert.True(FinalAccuracy(r) >= 0.95, r.Out);
        string model = dir.File("p/model.safetensors");
        var spec = ModelFile.Load(model).Spec;
        // The shape summary gives a perceptron, with the data's two inputs.
        Assert.Equal(["linear", "step"], spec.Layers.Select(l => l.Kind));
        Assert.Equal([2], spec.Input);
        var summary = Run("summary", "--model", "perceptron");
        Assert.Contains("linear", summary.Out);
        Assert.Contains("step", summary.Out);

        var evaluate = Run("evaluate", "--model", model, "--data", data, "--json");
        Assert.True(evaluate.Code == 0, evaluate.Err);
        using var json = JsonDocument.Parse(evaluate.Out);
        Assert.True(json.RootElement.GetProperty("accuracy").GetDouble() >= 0.95);
        var predict = Run("predict", "--model", model, "--input", data);
        Assert.True(predict.Code == 0, predict.Err);
        Assert.Matches(@"row 1: class (above|below) \(1\.0000\)", predict.Out);
    }

    [Fact]
    public void Perceptron_OnThreeClasses_SaysItSeparatesTwo()
    {
        AssertOneLineError(Run("train", "--model", "perceptron", "--data", TestData.Wine, "--target", "class", "--out", dir.File("w")), 1, "separates two classes");
    }
}
