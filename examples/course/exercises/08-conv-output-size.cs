#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 08-conv-output-size (docs/course/08-cnn-lenet.md). Write the height (or width) of a convolution's
// output from the input's, the kernel's, the stride and the zero padding on each side. The check runs Dendrite's
// Conv2d on forty shapes and compares its output size with yours.
// Run: dotnet run -c Release examples/course/exercises/08-conv-output-size.cs
using Dendrite.NN.Layers;
using Dendrite.Tensors;

try
{
    var generator = new Generator(seed: 8);
    for (int trial = 0; trial < 40; trial++)
    {
        int kernel = 1 + trial % 5, stride = 1 + trial % 3, padding = trial % 4;
        int input = kernel + (int)(Tensor.Rand(generator, 1).Item() * 20);
        var conv = new Conv2d(1, 1, kernel, stride: stride, padding: padding);
        int actual = conv.Call(Tensor.Zeros(1, 1, input, input)).Shape[2];
        int yours = OutputSize(input, kernel, stride, padding);
        if (yours != actual)
        {
            Console.WriteLine($"exercise 08-conv-output-size: not yet - input {input}, kernel {kernel}, stride {stride}, padding {padding}: Conv2d gives {actual}, you give {yours}");
            return 1;
        }
    }
    Console.WriteLine("exercise 08-conv-output-size: passed");
    return 0;
}
catch (NotImplementedException)
{
    Console.WriteLine("exercise 08-conv-output-size: not yet - OutputSize still throws NotImplementedException: fill in the region between the markers");
    return 1;
}

static int OutputSize(int input, int kernel, int stride, int padding)
{
// BEGIN EXERCISE
    throw new NotImplementedException();
// END EXERCISE
}
