#:project ../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// LeNet-5 reads handwritten digits: 8,000 real MNIST training images from data/mnist-sample, 10 epochs of
// SGD (lr 0.05, momentum 0.9, batch 64, the rate annealed to 0 along a cosine) on digits shifted at random
// by up to 2 pixels (augmentation: the small sample would otherwise be memorised), then the accuracy and
// confusion matrix on the 2,000 test images.
// Run from the repository root: dotnet run -c Release examples/mnist.cs
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.Data.Transforms;
using Dendrite.NN;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Optim.Schedulers;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

string directory = args.Length > 0 ? args[0] : Path.Combine("data", "mnist-sample");
int epochs = args.Length > 1 ? int.Parse(args[1]) : 10;
var train = Mnist.Load(directory, train: true);
var test = Mnist.Load(directory, train: false);
Console.WriteLine($"{train.Count} training and {test.Count} test digits from {directory}");

var generator = new Generator(seed: 0);
var model = Models.LeNet5(generator: generator);
Console.WriteLine($"{model}\n{model.ParameterCount():N0} parameters");
var optimizer = new Sgd(model.Parameters(), lr: 0.05f, momentum: 0.9f);
var trainer = new Trainer(model, new CrossEntropyLoss(), optimizer, new Accuracy());
var augmented = new TransformedDataset(train, new RandomShift(maxPixels: 2, generator: new Generator(seed: 1)));
trainer.Fit(new DataLoader(augmented, batchSize: 64, shuffle: true, generator: generator), epochs,
    validation: new DataLoader(test, batchSize: 500),
    callbacks: [new LRSchedulerCallback(new CosineAnnealingLR(optimizer, tMax: epochs)), new EpochLogger(Console.Out)]);

var confusion = new ConfusionMatrix(10);
var results = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), lr: 0.05f), confusion)
    .Evaluate(new DataLoader(test, batchSize: 500));
Console.WriteLine("confusion matrix (rows: true digit, columns: predicted digit)");
Console.WriteLine(confusion);
Console.WriteLine($"mnist: final loss {results["loss"]:F4}, test accuracy {confusion.Accuracy():P2} after {epochs} epochs");
