#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 02-sigmoid-slope (docs/course/02-activations.md): the sigmoid's derivative from its value alone.
// Run: dotnet run -c Release examples/course/exercises/02-sigmoid-slope.cs
using Dendrite.Tensors;

// BEGIN EXERCISE
// s is σ(z) for some z you are not told. Return σ′(z), using s only.
float SigmoidSlope(float s)
{
    throw new NotImplementedException("write SigmoidSlope(s)");
}
// END EXERCISE

// ---- the checker: compares your slope with autograd's at 33 points from −8 to 8 ----
string? problem = null;
try
{
    var z = Tensor.Linspace(-8f, 8f, 33).RequiresGrad_();
    var s = z.Sigmoid();
    s.Sum().Backward();
    var values = s.Detach().ToArray();
    var slopes = z.Grad!.ToArray();
    var points = z.Detach().ToArray();
    for (int i = 0; i < points.Length && problem is null; i++)
    {
        float yours = SigmoidSlope(values[i]);
        if (!(Math.Abs(yours - slopes[i]) <= 1e-6f + 1e-4f * slopes[i]))
            problem = $"at z = {points[i]} (σ = {values[i]:G6}) your slope is {yours:G6}, autograd's is {slopes[i]:G6}";
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 02-sigmoid-slope: passed" : $"exercise 02-sigmoid-slope: not yet - {problem}");
return problem is null ? 0 : 1;
