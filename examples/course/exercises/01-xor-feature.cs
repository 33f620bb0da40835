#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 01-xor-feature (docs/course/01-perceptron.md): one perceptron cannot learn XOR from (x₁, x₂) alone.
// Add one feature of the point so that it can.
// Run: dotnet run -c Release examples/course/exercises/01-xor-feature.cs
using Dendrite.Data.Datasets;
using Dendrite.NN.Layers;
using Dendrite.Training;

// BEGIN EXERCISE
// The one feature added to x₁ and x₂: one of FeatureSet.X1Squared, X2Squared, X1X2, SinX1, SinX2.
// The choice below is wrong on purpose; on inputs that are 0 or 1, what does squaring do?
var extra = FeatureSet.X1Squared;
// END EXERCISE

// ---- the checker: leave it as it is ----
string? problem = null;
if (extra is not (FeatureSet.X1Squared or FeatureSet.X2Squared or FeatureSet.X1X2 or FeatureSet.SinX1 or FeatureSet.SinX2))
    problem = $"pick exactly one of X1Squared, X2Squared, X1X2, SinX1, SinX2 (got {extra})";
else
{
    var xor = TruthTables.Xor();
    var features = new FeatureMap(FeatureSet.X1 | FeatureSet.X2 | extra).Call(xor.Inputs);
    var rule = new PerceptronRule(inputs: 3);
    var mistakes = rule.Fit(features, xor.Targets.Reshape(-1), epochs: 1000, eta: 0.1f);
    if (mistakes[^1] != 0)
        problem = $"with x₁, x₂ and {extra} the perceptron still makes {mistakes[^1]} mistakes per epoch after 1000 epochs: no plane separates XOR in those features";
}
Console.WriteLine(problem is null ? "exercise 01-xor-feature: passed" : $"exercise 01-xor-feature: not yet - {problem}");
return problem is null ? 0 : 1;
