#:project ../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// XOR with a 2-2-1 sigmoid network, built from tensors and autograd alone, trained by plain gradient
// descent on the mean squared error. Run: dotnet run examples/xor.cs
using Dendrite.Autograd;
using Dendrite.Tensors;

var generator = new Generator(seed: 7);
var x = Tensor.FromArray(new float[,] { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 1, 1 } });
var t = Tensor.FromArray(new float[,] { { 0 }, { 1 }, { 1 }, { 0 } });

// Two hidden sigmoid units, one sigmoid output: 9 parameters in all.
var w1 = Tensor.Randn(generator, 2, 2).RequiresGrad_();
var b1 = Tensor.Zeros(2).RequiresGrad_();
var w2 = Tensor.Randn(generator, 2, 1).RequiresGrad_();
var b2 = Tensor.Zeros(1).RequiresGrad_();
Tensor[] parameters = [w1, b1, w2, b2];
const float learningRate = 2f;

Tensor Predict(Tensor input) => ((input.MatMul(w1) + b1).Sigmoid().MatMul(w2) + b2).Sigmoid();

float loss = float.NaN;
for (int step = 0; step <= 5000; step++)
{
    var l = (Predict(x) - t).Square().Mean();
    foreach (var p in parameters) p.ZeroGrad();
    l.Backward();
    using (GradMode.NoGrad())
        foreach (var p in parameters) p.Add_(p.Grad!, alpha: -learningRate);
    loss = l.Item();
    if (step % 500 == 0) Console.WriteLine($"step {step,5}  loss {loss:F6}");
}

using (GradMode.NoGrad())
{
    var y = Predict(x).ToArray();
    int correct = 0;
    for (int i = 0; i < 4; i++)
    {
        float target = t.ToArray()[i];
        correct += (y[i] > 0.5f ? 1f : 0f) == target ? 1 : 0;
        Console.WriteLine($"{x[i, 0].Item()} XOR {x[i, 1].Item()} = {target}  predicted {y[i]:F4}");
    }
    Console.WriteLine($"xor: final loss {loss:F6}, accuracy {correct / 4.0:P0}");
}
