#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 04-output-layer (docs/course/04-softmax-and-outputs.md): points of the plane carry two labels that can
// both be on: "x₁ > 0" and "x₂ > 0". Choose the loss for the two outputs of a linear layer.
// Run: dotnet run -c Release examples/course/exercises/04-output-layer.cs
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

// BEGIN EXERCISE
// The loss for two independent yes/no labels, given the layer's two raw scores and 0/1 targets of shape [N, 2].
// CrossEntropyLoss treats the two outputs as competing classes of which exactly one is true: not this task.
Loss MakeLoss() => new CrossEntropyLoss();
// END EXERCISE

// ---- the checker: trains Linear(2, 2) with your loss and counts, per label, how often the sigmoid of the score is right ----
var generator = new Generator(seed: 12);
var x = Tensor.Randn(generator, 400, 2);
var targets = Tensor.Stack([x.Select(1, 0).Gt(0f), x.Select(1, 1).Gt(0f)], 1);
var layer = new Linear(2, 2, generator: generator);
var optimizer = new Sgd(layer.Parameters(), lr: 0.5f);
var loss = MakeLoss();
string? problem = null;
try
{
    for (int step = 0; step < 300; step++)
    {
        var l = loss.Call(layer.Call(x), targets);
        optimizer.ZeroGrad();
        l.Backward();
        optimizer.Step();
    }
    var predicted = layer.Call(x).Sigmoid().Gt(0.5f).ToArray();
    var truth = targets.ToArray();
    double right = predicted.Zip(truth).Count(p => p.First == p.Second) / (double)truth.Length;
    int both = Enumerable.Range(0, 400).Count(i => predicted[2 * i] == 1 && predicted[2 * i + 1] == 1);
    int bothTrue = Enumerable.Range(0, 400).Count(i => truth[2 * i] == 1 && truth[2 * i + 1] == 1);
    if (right < 0.95 || Math.Abs(both - bothTrue) > 20)
        problem = $"{loss.GetType().Name}: labels right {right:P1} (want 95%), points given both labels {both} of the {bothTrue} that have both";
}
catch (ArgumentException e)
{
    problem = $"{loss.GetType().Name} refused these targets: {e.Message}";
}
Console.WriteLine(problem is null ? "exercise 04-output-layer: passed" : $"exercise 04-output-layer: not yet - {problem}");
return problem is null ? 0 : 1;
