#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 03-merge-layers (docs/course/03-layers.md): two Linear layers with no activation between them are one
// Linear layer. Compute its weight and bias.
// Run: dotnet run -c Release examples/course/exercises/03-merge-layers.cs
using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.Tensors;

// BEGIN EXERCISE
// first maps d inputs to h units (weight [h, d], bias [h]); second maps h to m (weight [m, h], bias [m]).
// Return the weight [m, d] and bias [m] of the one layer that computes second(first(x)). (MatMul, Reshape, +)
(Tensor Weight, Tensor Bias) Merge(Linear first, Linear second)
{
    throw new NotImplementedException("write Merge(first, second)");
}
// END EXERCISE

// ---- the checker: random layers of three different shapes, 50 random inputs each ----
string? problem = null;
try
{
    var generator = new Generator(seed: 11);
    foreach (var (d, h, m) in new[] { (2, 3, 1), (4, 5, 3), (3, 2, 4) })
    {
        var first = new Linear(d, h, generator: generator);
        var second = new Linear(h, m, generator: generator);
        var (weight, bias) = Merge(first, second);
        if (weight.Shape.ToArray() is not [var wm, var wd] || wm != m || wd != d || bias.Numel != m)
        {
            problem = $"for {d} → {h} → {m} the merged weight must be [{m}, {d}] and the bias [{m}], got {weight.Shape} and {bias.Shape}";
            break;
        }
        using var noGrad = GradMode.NoGrad();
        var x = Tensor.Randn(generator, 50, d);
        var merged = new Linear(d, m);
        merged.Weight.CopyFrom_(weight);
        merged.Bias!.CopyFrom_(bias.Reshape(m));
        float gap = (new Sequential(first, second).Call(x) - merged.Call(x)).Abs().Max().Item();
        if (gap > 1e-4f)
        {
            problem = $"for {d} → {h} → {m} your layer differs from the two by up to {gap:G3}";
            break;
        }
    }
}
catch (NotImplementedException e)
{
    problem = e.Message;
}
Console.WriteLine(problem is null ? "exercise 03-merge-layers: passed" : $"exercise 03-merge-layers: not yet - {problem}");
return problem is null ? 0 : 1;
