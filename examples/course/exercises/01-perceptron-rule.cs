#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 01-perceptron-rule (docs/course/01-perceptron.md): write one step of Rosenblatt's perceptron rule.
// Run: dotnet run -c Release examples/course/exercises/01-perceptron-rule.cs
// The checker trains your rule on AND, OR and a random linearly separable set and compares every weight with
// Dendrite's PerceptronRule trained the same way; it prints "exercise 01-perceptron-rule: passed" when they agree.
using Dendrite.Data.Datasets;
using Dendrite.Tensors;
using Dendrite.Training;

// BEGIN EXERCISE
// One step of the perceptron rule for the sample x with target t (0 or 1) and learning rate eta: compute the
// step output y = 1 if w·x + b > 0 else 0, then move w and b by eta·(t − y)·x and eta·(t − y). Change w in place.
void PerceptronStep(float[] w, ref float b, float[] x, float t, float eta)
{
    throw new NotImplementedException("write the perceptron rule in PerceptronStep");
}
// END EXERCISE

// ---- the checker: leave it as it is ----
const float Eta = 0.1f;

// Trains the learner's rule for the same epochs as the library would and returns the first disagreement, if any.
string? Compare(string name, Tensor inputs, Tensor targets)
{
    var reference = new PerceptronRule(inputs.Shape[1]);
    int epochs = reference.Fit(inputs, targets, epochs: 200, eta: Eta).Count;
    int n = inputs.Shape[0], d = inputs.Shape[1];
    var x = inputs.ToArray();
    var t = targets.ToArray();
    var w = new float[d];
    float b = 0;
    for (int epoch = 0; epoch < epochs; epoch++)
        for (int i = 0; i < n; i++)
            PerceptronStep(w, ref b, x[(i * d)..((i + 1) * d)], t[i], Eta);
    var expected = reference.Weights.ToArray();
    for (int j = 0; j < d; j++)
        if (Math.Abs(w[j] - expected[j]) > 1e-4f)
            return $"{name}: after {epochs} epochs w[{j}] = {w[j]:F4}, the perceptron rule gives {expected[j]:F4}";
    if (Math.Abs(b - reference.Bias) > 1e-4f)
        return $"{name}: after {epochs} epochs b = {b:F4}, the perceptron rule gives {reference.Bias:F4}";
    return null;
}

// A random set that a hidden plane separates, so a rule tuned to AND and OR alone does not pass.
var generator = new Generator(seed: 19);
var points = Tensor.Randn(generator, 40, 3);
var labels = (points.MatMul(Tensor.FromArray([1.5f, -2f, 0.5f], 3)) + 0.3f).Gt(0f);

string? problem;
try
{
    problem = Compare("AND", TruthTables.And().Inputs, TruthTables.And().Targets.Reshape(-1))
              ?? Compare("OR", TruthTables.Or().Inputs, TruthTables.Or().Targets.Reshape(-1))
              ?? Compare("random separable set", points, labels);
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 01-perceptron-rule: passed" : $"exercise 01-perceptron-rule: not yet - {problem}");
return problem is null ? 0 : 1;
