// Trains a small MLP on synthetic data, alone or as one rank under mpirun, and writes what the distributed
// tests compare: the gradients after the first step (rank 0's, which every rank holds) and each rank's final
// weights. Usage: DistributedWorker GRADS WEIGHTS EPOCHS [BATCH]  (WEIGHTS gets a ".rank<r>" suffix).
using Dendrite.Data;
using Dendrite.Distributed;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;
using Dendrite.Tensors;
using Dendrite.Training;
using Dendrite.Training.Callbacks;

string gradsPath = args[0], weightsPath = args[1];
int epochs = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
int batch = args.Length > 3 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 64;

using var group = MpiProcessGroup.Launched ? MpiProcessGroup.Initialize() : null;
int rank = group?.Rank ?? 0;

// 300 samples: the last batch of 64 is short (44 rows), so uneven shards are exercised too.
var g = new Generator(5);
var x = Tensor.Randn(g, 300, 20);
var y = x.Narrow(1, 0, 5).ArgMax(1);
var model = new Sequential(new Linear(20, 32, generator: new Generator(1)), new Tanh(), new Linear(32, 5, generator: new Generator(2)));
var trainer = new Trainer(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1f, momentum: 0.9f))
{
    DataParallel = group is null ? null : new DataParallel(group, bucketFloats: 200),
};
var loader = new DataLoader(new TensorDataset(x, y), batch, shuffle: true, generator: new Generator(3));
var first = new FirstGradients();
trainer.Fit(loader, epochs, callbacks: [first]);

if (rank == 0) Write(gradsPath, first.Gradients!);
Write($"{weightsPath}.rank{rank}", [.. model.Parameters().Select(p => p.ToArray())]);

static void Write(string path, float[][] tensors)
{
    using var w = new BinaryWriter(File.Create(path));
    w.Write(tensors.Length);
    foreach (var t in tensors)
    {
        w.Write(t.Length);
        foreach (float v in t) w.Write(v);
    }
}

sealed class FirstGradients : Callback
{
    public float[][]? Gradients { get; private set; }

    public override void OnBatchEnd(TrainingContext context) =>
        Gradients ??= [.. context.Model.Parameters().Select(p => p.Grad!.ToArray())];
}
