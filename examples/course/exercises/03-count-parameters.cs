#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 03-count-parameters (docs/course/03-layers.md): how many weights and biases does an MLP have?
// Run: dotnet run -c Release examples/course/exercises/03-count-parameters.cs
using Dendrite.NN;

// BEGIN EXERCISE
// sizes lists the width of every layer from the input to the output, e.g. [2, 3, 3, 1] for the lecture's network.
// Each pair of neighbouring sizes is one fully connected layer with a weight matrix and a bias vector.
long CountParameters(int[] sizes)
{
    throw new NotImplementedException("write CountParameters(sizes)");
}
// END EXERCISE

// ---- the checker: your count against Module.ParameterCount() of Models.Mlp with the same sizes ----
string? problem = null;
try
{
    foreach (var sizes in new[] { new[] { 2, 3, 3, 1 }, [784, 256, 128, 10], [4, 1], [10, 7, 7, 7, 3] })
    {
        var mlp = Models.Mlp(sizes[0], sizes[1..^1], sizes[^1]);
        long yours = CountParameters(sizes), expected = mlp.ParameterCount();
        if (yours != expected)
        {
            problem = $"for layer sizes [{string.Join(", ", sizes)}] you count {yours}, the network has {expected}";
            break;
        }
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 03-count-parameters: passed" : $"exercise 03-count-parameters: not yet - {problem}");
return problem is null ? 0 : 1;
