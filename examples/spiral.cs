#:project ../src/Dendrite/Dendrite.csproj
#:property PublishAot=false
// Two interleaved spirals (TensorFlow Playground's hardest set), learned by a 2-16-16-2 tanh MLP with Adam
// and cross-entropy, through the Trainer. Run: dotnet run examples/spiral.cs
using Dendrite.Data;
using Dendrite.Data.Datasets;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Callbacks;
using Dendrite.Training.Metrics;

var generator = new Generator(seed: 1);
var data = Synthetic2D.Spiral(500, noise: 0, generator: generator);
var model = Models.Mlp(2, [16, 16], 2, activation: () => new Tanh(), generator: generator);
Console.WriteLine(model);

var trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.Parameters(), lr: 0.01f), new Accuracy());
var loader = new DataLoader(data, batchSize: 32, shuffle: true, generator: generator);
var history = trainer.Fit(loader, epochs: 300, callbacks: [new EpochLogger(Console.Out, every: 50)]);

var final = trainer.Evaluate(new DataLoader(data, batchSize: 500));
Console.WriteLine($"spiral: final loss {final["loss"]:F4}, training accuracy {final["accuracy"]:P1} after {history.Count} epochs");
