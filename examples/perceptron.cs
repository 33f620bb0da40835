#:project ../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Rosenblatt's perceptron: a step unit trained with w ← w + η(t − y)x. It learns AND and OR, which a
// line separates, and never learns XOR, which no line separates (Minsky and Papert, 1969).
// Run: dotnet run examples/perceptron.cs
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Training;

(float Accuracy, int Mistakes) Learn(string name, TensorDataset table, int epochs)
{
    var perceptron = new PerceptronRule(inputs: 2);
    var mistakes = perceptron.Fit(table.Inputs, table.Targets.Reshape(-1), epochs, eta: 0.1f);
    var predictions = perceptron.Predict(table.Inputs).ToArray();
    var targets = table.Targets.ToArray();
    int correct = predictions.Zip(targets).Count(p => p.First == p.Second);
    Console.WriteLine($"{name,-3}: {mistakes.Count,4} epochs, mistakes in the last epoch {mistakes[^1]}, " +
                      $"w = [{string.Join(", ", perceptron.Weights.ToArray().Select(w => w.ToString("F2")))}], b = {perceptron.Bias:F2}, " +
                      $"predictions [{string.Join(", ", predictions)}] for targets [{string.Join(", ", targets)}]");
    return (correct / (float)targets.Length, mistakes[^1]);
}

var and = Learn("AND", TruthTables.And(), 100);
var or = Learn("OR", TruthTables.Or(), 100);
var xor = Learn("XOR", TruthTables.Xor(), 1000);
// The perceptron rule minimises no differentiable loss; its "loss" is the number of mistakes in an epoch.
Console.WriteLine($"perceptron: final mistakes AND {and.Mistakes}, OR {or.Mistakes}, XOR {xor.Mistakes}; " +
                  $"accuracy AND {and.Accuracy:P0}, OR {or.Accuracy:P0}, XOR {xor.Accuracy:P0} (XOR is not linearly separable)");
