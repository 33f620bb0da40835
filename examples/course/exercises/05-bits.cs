#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 05-bits (docs/course/05-losses.md): Dendrite's cross-entropy is in nats (natural log); the second
// lecture's 6.64 is in bits (log base 2). Write the conversion.
// Run: dotnet run -c Release examples/course/exercises/05-bits.cs
using Dendrite.NN.Losses;
using Dendrite.Tensors;

// BEGIN EXERCISE
// A cross-entropy measured in nats, expressed in bits.
double Bits(double nats)
{
    throw new NotImplementedException("write Bits(nats)");
}
// END EXERCISE

// ---- the checker: the loss of a prediction p for the true class must be −log₂ p bits ----
string? problem = null;
try
{
    foreach (var p in new[] { 0.01f, 0.5f, 0.97f, 0.125f })
    {
        var logits = Tensor.FromArray([MathF.Log(p), MathF.Log(1 - p)], 1, 2);
        double nats = new CrossEntropyLoss().Call(logits, Tensor.FromArray([0f], 1)).Item();
        double yours = Bits(nats), expected = -Math.Log2(p);
        if (!(Math.Abs(yours - expected) < 1e-4))
        {
            problem = $"for p = {p} the loss is {nats:F4} nats; you say {yours:F4} bits, it is −log₂ {p} = {expected:F4}";
            break;
        }
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 05-bits: passed" : $"exercise 05-bits: not yet - {problem}");
return problem is null ? 0 : 1;
