#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 04-softmax (docs/course/04-softmax-and-outputs.md): write softmax for one vector of scores, in a way that
// does not overflow when the scores are large.
// Run: dotnet run -c Release examples/course/exercises/04-softmax.cs
using Dendrite.Tensors;

// BEGIN EXERCISE
// p_k = e^(f_k) / Σ_j e^(f_j), on plain doubles. Hint: e^1000 is infinity in a double; what can you subtract
// from every score without changing the answer?
double[] Softmax(double[] scores)
{
    throw new NotImplementedException("write Softmax(scores)");
}
// END EXERCISE

// ---- the checker: against Tensor.Softmax on ordinary, negative and huge scores ----
string? problem = null;
try
{
    foreach (var scores in new[] { new[] { 3.6, 2.6, -3.0 }, [0.0, 0.0], [1000.0, 1001.0, 1002.0], [-800.0, -801.0, -805.0, -800.5] })
    {
        var yours = Softmax(scores);
        var expected = Tensor.FromArray([.. scores.Select(s => (float)(s - scores.Max()))], scores.Length).Softmax(0).ToArray();
        if (yours.Length != scores.Length || yours.Zip(expected).Any(p => !(Math.Abs(p.First - p.Second) < 1e-5)))
        {
            problem = $"softmax({string.Join(", ", scores)}) should be ({string.Join(", ", expected.Select(v => v.ToString("F5")))}), you give ({string.Join(", ", yours.Select(v => v.ToString("F5")))})";
            break;
        }
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 04-softmax: passed" : $"exercise 04-softmax: not yet - {problem}");
return problem is null ? 0 : 1;
