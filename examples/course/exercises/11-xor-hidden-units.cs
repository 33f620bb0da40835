#:project ../../../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Exercise 11-xor-hidden-units (docs/course/11-playground.md). How many tanh hidden units does a network need to
// learn the playground's XOR? Pick the smallest number for which the network below, trained from the
// playground's defaults (500 points, half for testing, batches of 10, SGD at 0.03, 100 epochs), reaches 95% test
// accuracy. The check trains it with your number, then with every smaller one: yours must reach 95%, none of the
// smaller ones may.
// Run: dotnet run -c Release examples/course/exercises/11-xor-hidden-units.cs
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Metrics;

int units = HiddenUnits();
if (units is < 1 or > 16)
{
    Console.WriteLine($"exercise 11-xor-hidden-units: not yet - {units} hidden units: pick 1 to 16");
    return 1;
}
double yours = Accuracy(units);
Console.WriteLine($"test accuracy with {units} hidden units: {yours:0.000}");
if (yours < 0.95)
{
    Console.WriteLine($"exercise 11-xor-hidden-units: not yet - {units} hidden units reach only {yours:P1}: too few");
    return 1;
}
for (int fewer = units - 1; fewer >= 1; fewer--)
{
    double accuracy = Accuracy(fewer);
    Console.WriteLine($"test accuracy with {fewer} hidden units: {accuracy:0.000}");
    if (accuracy >= 0.95)
    {
        Console.WriteLine($"exercise 11-xor-hidden-units: not yet - {fewer} units already reach {accuracy:P1}: {units} is not the smallest");
        return 1;
    }
}
Console.WriteLine("exercise 11-xor-hidden-units: passed");
return 0;

static double Accuracy(int hidden)
{
    var generator = new Generator(seed: 11);
    var data = Synthetic2D.Xor(500, generator: generator);
    var order = Enumerable.Range(0, 500).ToArray();
    new Random(11).Shuffle(order);
    var inputs = Tensor.Stack(order.Select(i => data.Inputs[i]).ToList());
    var targets = Tensor.Stack(order.Select(i => data.Targets[i]).ToList());
    var model = new Sequential(new Linear(2, hidden, generator: generator), new Tanh(), new Linear(hidden, 2, generator: generator));
    var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), lr: 0.03f), new Accuracy());
    trainer.Fit(new DataLoader(new TensorDataset(inputs.Narrow(0, 0, 250), targets.Narrow(0, 0, 250)), batchSize: 10, shuffle: true, generator: generator), epochs: 100);
    return trainer.Evaluate(new DataLoader(new TensorDataset(inputs.Narrow(0, 250, 250), targets.Narrow(0, 250, 250)), batchSize: 250))["accuracy"];
}

static int HiddenUnits()
{
// BEGIN EXERCISE
    return 16;
// END EXERCISE
}
