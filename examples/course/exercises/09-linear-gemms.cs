#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 09-linear-gemms (docs/course/09-why-gemm.md). A Linear layer costs three GEMMs per training step: one
// forward, two backward. Given the input X [N, in], the weight W [out, in] and the gradient arriving from above,
// dY = ∂L/∂Y [N, out], write the layer's output and its three gradients with MatMul, Transpose and Sum only:
// Y = X·Wᵀ + b, and ∂L/∂X, ∂L/∂W, ∂L/∂b. The check compares them with Dendrite's Linear and autograd.
// Run: dotnet run -c Release examples/course/exercises/09-linear-gemms.cs
using Dendrite.NN.Layers;
using Dendrite.Tensors;

try
{
    var generator = new Generator(seed: 90);
    foreach (var (n, inputs, outputs) in new[] { (4, 3, 2), (64, 784, 256), (1, 5, 7) })
    {
        var layer = new Linear(inputs, outputs, generator: generator);
        var x = Tensor.Randn(generator, n, inputs).RequiresGrad_();
        var dy = Tensor.Randn(generator, n, outputs);
        var y = layer.Call(x);
        y.Backward(dy);
        var (yours, dx, dw, db) = Gemms(x.Detach(), layer.Weight.Detach(), layer.Bias!.Detach(), dy);
        foreach (var (name, mine, expected) in new[] { ("Y", yours, y.Detach()), ("dL/dX", dx, x.Grad!), ("dL/dW", dw, layer.Weight.Grad!), ("dL/db", db, layer.Bias!.Grad!) })
        {
            if (!mine.Shape.ToArray().SequenceEqual(expected.Shape.ToArray()))
                return NotYet($"for N = {n}, in = {inputs}, out = {outputs} your {name} has shape {mine.Shape}, expected {expected.Shape}");
            var a = mine.ToArray();
            var b = expected.ToArray();
            for (int i = 0; i < a.Length; i++)
                if (!(Math.Abs(a[i] - b[i]) <= 1e-3 * Math.Max(1, Math.Abs(b[i]))))
                    return NotYet($"for N = {n}, in = {inputs}, out = {outputs} your {name} differs at element {i}: {a[i]:0.####} against {b[i]:0.####}");
        }
    }
    Console.WriteLine("exercise 09-linear-gemms: passed");
    return 0;
}
catch (NotImplementedException)
{
    return NotYet("Gemms still throws NotImplementedException: fill in the region between the markers");
}

static int NotYet(string why)
{
    Console.WriteLine($"exercise 09-linear-gemms: not yet - {why}");
    return 1;
}

static (Tensor Y, Tensor DX, Tensor DW, Tensor DB) Gemms(Tensor x, Tensor w, Tensor b, Tensor dy)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
