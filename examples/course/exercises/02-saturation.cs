#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 02-saturation (docs/course/02-activations.md): how far out does the sigmoid stop passing gradient?
// Run: dotnet run -c Release examples/course/exercises/02-saturation.cs
using Dendrite.Tensors;

// BEGIN EXERCISE
// The smallest z > 0 (to within 0.1) at which σ′(z) falls below 0.001. Find it with autograd (a tensor that
// requires gradients, Sigmoid(), Backward(), Grad) or with the formula from the page; 3 is far too small.
float z = 3f;
// END EXERCISE

// ---- the checker: autograd's slope must be below 0.001 at z, and not yet at z − 0.1 ----
float Slope(float at)
{
    var input = Tensor.FromArray([at], 1).RequiresGrad_();
    input.Sigmoid().Sum().Backward();
    return input.Grad!.Item();
}
string? problem = null;
if (!(z > 0) || !float.IsFinite(z)) problem = $"z must be a positive number, got {z}";
else if (Slope(z) >= 0.001f) problem = $"σ′({z}) = {Slope(z):G4} is still 0.001 or more: go further out";
else if (Slope(z - 0.1f) < 0.001f) problem = $"σ′({z - 0.1f}) = {Slope(z - 0.1f):G4} is already below 0.001: a smaller z works";
Console.WriteLine(problem is null ? "exercise 02-saturation: passed" : $"exercise 02-saturation: not yet - {problem}");
return problem is null ? 0 : 1;
