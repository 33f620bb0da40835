#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 05-bce (docs/course/05-losses.md): write the binary cross-entropy with tensor operations and compare
// it with Dendrite's BceLoss, value and gradient.
// Run: dotnet run -c Release examples/course/exercises/05-bce.cs
using Dendrite.NN.Losses;
using Dendrite.Tensors;

// BEGIN EXERCISE
// The mean over all elements of −[t·ln y + (1 − t)·ln(1 − y)], for predictions y in (0, 1) and targets t in {0, 1}.
// Use tensor operations (Log, *, -, Mean) so that autograd can differentiate it.
Tensor MyBce(Tensor y, Tensor t)
{
    throw new NotImplementedException("write MyBce(y, t)");
}
// END EXERCISE

// ---- the checker: value and gradient against BceLoss on random predictions ----
string? problem = null;
try
{
    var generator = new Generator(seed: 5);
    var scores = Tensor.Randn(generator, 8, 3);
    var targets = Tensor.Rand(generator, 8, 3).Gt(0.5f);
    var y1 = scores.Sigmoid().Detach().RequiresGrad_();
    var y2 = scores.Sigmoid().Detach().RequiresGrad_();
    var mine = MyBce(y1, targets);
    var theirs = new BceLoss().Call(y2, targets);
    if (mine.Numel != 1) problem = $"MyBce must return one number (a scalar), got shape {mine.Shape}";
    else if (Math.Abs(mine.Item() - theirs.Item()) > 1e-4f) problem = $"your loss is {mine.Item():F5}, BceLoss says {theirs.Item():F5}";
    else
    {
        mine.Backward();
        theirs.Backward();
        float gap = (y1.Grad! - y2.Grad!).Abs().Max().Item();
        if (gap > 1e-4f) problem = $"the value matches but the gradient differs by up to {gap:G3}: is it a mean over all {y1.Numel} elements?";
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 05-bce: passed" : $"exercise 05-bce: not yet - {problem}");
return problem is null ? 0 : 1;
