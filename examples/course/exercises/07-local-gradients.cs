#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 07-local-gradients (docs/course/07-backpropagation.md). The graph g = (x·y + z)² has three gates:
// p = x·y, s = p + z, g = s². Work out ∂g/∂x, ∂g/∂y and ∂g/∂z by hand — each is the product of the local
// gradients along the path from g back to the input — and write them below. The check compares your formulas
// with Dendrite's autograd at a handful of random points.
// Run: dotnet run -c Release examples/course/exercises/07-local-gradients.cs
using Dendrite.Tensors;

try
{
    var generator = new Generator(seed: 7);
    var points = Tensor.Randn(generator, 5, 3).ToArray();
    for (int i = 0; i < 5; i++)
    {
        float xv = points[3 * i], yv = points[3 * i + 1], zv = points[3 * i + 2];
        var x = Tensor.Scalar(xv).RequiresGrad_();
        var y = Tensor.Scalar(yv).RequiresGrad_();
        var z = Tensor.Scalar(zv).RequiresGrad_();
        ((x * y + z).Square()).Backward();
        var mine = Gradients(xv, yv, zv);
        (string Name, double Yours, float Autograd)[] parts =
            [("dg/dx", mine.Dx, x.Grad!.Item()), ("dg/dy", mine.Dy, y.Grad!.Item()), ("dg/dz", mine.Dz, z.Grad!.Item())];
        foreach (var (name, yours, autograd) in parts)
            if (!(Math.Abs(yours - autograd) <= 1e-4 * Math.Max(1, Math.Abs(autograd))))
            {
                Console.WriteLine($"exercise 07-local-gradients: not yet - at x = {xv:0.###}, y = {yv:0.###}, z = {zv:0.###} your {name} is {yours:0.####}, autograd says {autograd:0.####}");
                return 1;
            }
    }
    Console.WriteLine("exercise 07-local-gradients: passed");
    return 0;
}
catch (NotImplementedException)
{
    Console.WriteLine("exercise 07-local-gradients: not yet - Gradients still throws NotImplementedException: fill in the region between the markers");
    return 1;
}

static (double Dx, double Dy, double Dz) Gradients(double x, double y, double z)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
