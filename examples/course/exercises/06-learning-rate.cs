#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 06-learning-rate (docs/course/06-gradient-descent.md): pick a learning rate with which 20 steps of
// full-batch gradient descent fit the line of the page's example.
// Run: dotnet run -c Release examples/course/exercises/06-learning-rate.cs
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

// BEGIN EXERCISE
// The learning rate α. This one is far too large: run the checker and watch the loss.
float learningRate = 1.5f;
// END EXERCISE

// ---- the checker: 20 steps of Sgd on y = 2x + 1 + noise; the loss must come within 0.02 of the best a line does ----
var generator = new Generator(seed: 6);
var x = Tensor.Randn(generator, 200, 1);
var y = 2f * x + 1f + 0.3f * Tensor.Randn(generator, 200, 1);
var model = new Linear(1, 1, generator: generator);
var optimizer = new Sgd(model.Parameters(), learningRate);
var mse = new MseLoss();
float loss = float.NaN;
var trace = new List<string>();
for (int step = 1; step <= 20; step++)
{
    var l = mse.Call(model.Call(x), y);
    optimizer.ZeroGrad();
    l.Backward();
    optimizer.Step();
    loss = mse.Call(model.Call(x), y).Item();
    if (step % 5 == 0) trace.Add($"step {step}: {loss:G3}");
}
const float Target = 0.1f; // the noise leaves about 0.08
string? problem = !(learningRate > 0) ? $"the learning rate must be positive, got {learningRate}"
    : !(loss < Target) ? $"after 20 steps with α = {learningRate} the loss is {loss:G3} (want < {Target}; {string.Join(", ", trace)})"
    : null;
Console.WriteLine(problem is null ? $"exercise 06-learning-rate: passed (loss {loss:F4})" : $"exercise 06-learning-rate: not yet - {problem}");
return problem is null ? 0 : 1;
