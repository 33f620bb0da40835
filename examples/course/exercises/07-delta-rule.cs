#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 07-delta-rule (docs/course/07-backpropagation.md). One sigmoid neuron y = σ(w·x) with squared error
// E = (y − t)² on one sample. Write dE/dw by the chain rule (dE/dy · dy/da · da/dw_p) without autograd. The check
// compares your gradient with Dendrite's autograd on lecture 001's four samples, then trains the neuron with it
// (the lecture's loop, one sample at a time) and expects the error on sample 4 to drop below 0.05.
// Run: dotnet run -c Release examples/course/exercises/07-delta-rule.cs
using Dendrite.Tensors;

float[][] samples = [[1.0f, 0.1f, -0.2f], [1.0f, -0.1f, 0.9f], [1.0f, 1.2f, 0.1f], [1.0f, 1.1f, 1.5f]];
float[] targets = [0, 0, 0, 1];
try
{
    float[] w = [1f, -1f, 1f];
    for (int n = 0; n < 4; n++)
    {
        var wt = Tensor.FromArray(w, 3).RequiresGrad_();
        ((wt * Tensor.FromArray(samples[n], 3)).Sum().Sigmoid() - targets[n]).Square().Backward();
        var expected = wt.Grad!.ToArray();
        var yours = Gradient(w, samples[n], targets[n]);
        if (yours.Length != 3)
            return NotYet($"Gradient returned {yours.Length} numbers, one per weight (3) expected");
        for (int p = 0; p < 3; p++)
            if (!(Math.Abs(yours[p] - expected[p]) <= 1e-5))
                return NotYet($"on sample {n + 1} your dE/dw{p} is {yours[p]:0.######}, autograd says {expected[p]:0.######}");
    }
    for (int epoch = 0; epoch < 500; epoch++)
        for (int n = 0; n < 4; n++)
        {
            var g = Gradient(w, samples[n], targets[n]);
            for (int p = 0; p < 3; p++) w[p] -= 0.5f * g[p];
        }
    double a = w[0] * samples[3][0] + w[1] * samples[3][1] + w[2] * samples[3][2];
    double error = Math.Pow(1 / (1 + Math.Exp(-a)) - 1, 2);
    if (!(error < 0.05)) return NotYet($"after 500 epochs the error on sample 4 is {error:0.####}, not below 0.05");
    Console.WriteLine($"exercise 07-delta-rule: passed (error on sample 4 after training: {error:0.####})");
    return 0;
}
catch (NotImplementedException)
{
    return NotYet("Gradient still throws NotImplementedException: fill in the region between the markers");
}

static int NotYet(string why)
{
    Console.WriteLine($"exercise 07-delta-rule: not yet - {why}");
    return 1;
}

static float[] Gradient(float[] w, float[] x, float t)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
