#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 06-sgd-step (docs/course/06-gradient-descent.md): write the update of plain gradient descent yourself
// and check that it moves the weights exactly as Dendrite's Sgd optimizer does.
// Run: dotnet run -c Release examples/course/exercises/06-sgd-step.cs
using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;

// BEGIN EXERCISE
// One step w ← w − α·∂L/∂w for every parameter, using the gradient autograd left in p.Grad. Change each parameter
// in place (Add_ with an alpha, or CopyFrom_) inside GradMode.NoGrad(), so the update itself is not recorded.
void MyStep(IEnumerable<Parameter> parameters, float lr)
{
    throw new NotImplementedException("write MyStep(parameters, lr)");
}
// END EXERCISE

// ---- the checker: two identical networks, mini-batches of 16 for two epochs, one updated by MyStep, one by Sgd ----
string? problem = null;
try
{
    var generator = new Generator(seed: 9);
    var x = Tensor.Randn(generator, 128, 2);
    var t = x.Select(1, 0).Mul(x.Select(1, 1)).Gt(0f).Reshape(-1, 1);
    Sequential Net() { var g = new Generator(seed: 10); return new Sequential(new Linear(2, 8, generator: g), new Tanh(), new Linear(8, 1, generator: g)); }
    var (mine, theirs) = (Net(), Net());
    var optimizer = new Sgd(theirs.Parameters(), lr: 0.2f);
    var loss = new BceWithLogitsLoss();
    foreach (var batch in Enumerable.Range(0, 2).SelectMany(_ => new DataLoader(new TensorDataset(x, t), 16)))
    {
        mine.ZeroGrad();
        loss.Call(mine.Call(batch.Inputs), batch.Targets).Backward();
        MyStep(mine.Parameters(), 0.2f);
        optimizer.ZeroGrad();
        loss.Call(theirs.Call(batch.Inputs), batch.Targets).Backward();
        optimizer.Step();
    }
    foreach (var ((name, a), (_, b)) in mine.NamedParameters().Zip(theirs.NamedParameters()))
    {
        float gap = (a.Detach() - b.Detach()).Abs().Max().Item();
        if (gap > 1e-5f) { problem = $"after 16 steps {name} differs from Sgd's by up to {gap:G3}"; break; }
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 06-sgd-step: passed" : $"exercise 06-sgd-step: not yet - {problem}");
return problem is null ? 0 : 1;
