using Dendrite.Autograd;
using Dendrite.Data;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Optim;

namespace Dendrite.Tests.Tensors;

/// <summary>
/// A scope retires the Tensor, Storage and node objects on the memory it releases, and later ops in later
/// scopes reuse them. These tests pin down that reuse never changes a result and never touches a tensor
/// that outlives its scope.
/// </summary>
public class TensorScopeRecyclingTests
{
    private static Sequential SmallConvNet(Generator g) => new(
        new Conv2d(1, 3, 3, padding: 1, generator: g), new ReLU(), new MaxPool2d(2),
        new Conv2d(3, 4, 3, generator: g), new ReLU(),
        new Flatten(), new Linear(4 * 2 * 2, 5, generator: g), new ReLU(), new Linear(5, 3, generator: g));

    private static float[][] Train(Func<Generator, Module> build, Tensor x, Tensor y, int steps, bool scoped)
    {
        var model = build(new Generator(11));
        var loss = new CrossEntropyLoss();
        var optimizer = new Sgd(model.Parameters(), 0.05f, momentum: 0.9f);
        for (int i = 0; i < steps; i++)
        {
            var scope = scoped ? new TensorScope(reuseObjects: true) : null;
            optimizer.ZeroGrad();
            var l = loss.Forward(model.Forward(x), y);
            l.Backward();
            optimizer.Step();
            scope?.Dispose();
        }
        return model.Parameters().Select(p => p.ToArray()).ToArray();
    }

    [Fact]
    public void TrainingGivesBitwiseTheSameParametersWithAndWithoutScopes()
    {
        var g = new Generator(5);
        var mlpX = Tensor.Rand(g, 17, 12);
        var mlpY = Tensor.RandInt(0, 4, [17], g);
        Func<Generator, Module> mlp = gen => Models.Mlp(12, [9, 7], 4, generator: gen);
        Assert.Equal(Train(mlp, mlpX, mlpY, 6, scoped: false), Train(mlp, mlpX, mlpY, 6, scoped: true));

        var convX = Tensor.Rand(g, 6, 1, 8, 8);
        var convY = Tensor.RandInt(0, 3, [6], g);
        Assert.Equal(Train(SmallConvNet, convX, convY, 6, scoped: false), Train(SmallConvNet, convX, convY, 6, scoped: true));
    }

    [Fact]
    public void ObjectsOfAnEndedScopeAreReusedByTheNextOne()
    {
        if (!TensorScope.RecyclingEnabled) return;
        var w = new Parameter(Tensor.Ones(3, 4));
        Tensor[] first;
        Node[] firstNodes;
        using (new TensorScope(reuseObjects: true))
        {
            var x = Tensor.Ones(2, 4);
            var linear = Functional.Linear(x, w);
            var relu = Functional.Relu(linear);
            first = [x, linear, relu];
            firstNodes = [linear.GradFn!, relu.GradFn!];
        }
        Assert.All(first, t => Assert.Throws<ObjectDisposedException>(() => t.ToArray())); // retired, not yet reused
        Assert.All(first, t => Assert.Null(t.GradFn));
        using (new TensorScope(reuseObjects: true))
        {
            var x = Tensor.Ones(2, 4);
            var linear = Functional.Linear(x, w);
            var relu = Functional.Relu(linear);
            Assert.Equal(Enumerable.Repeat(4f, 6), relu.ToArray());
            // The same ops in the same order: the retired objects come back (that is the point), re-armed.
            Assert.All(new[] { x, linear, relu }, t => Assert.Contains(t, first));
            Assert.Same(firstNodes[0], linear.GradFn);
            Assert.Same(firstNodes[1], relu.GradFn);
            Assert.Same(linear, relu.GradFn!.Inputs[0]);
            Assert.Same(w, linear.GradFn!.Inputs[1]);
        }
    }

    [Fact]
    public void APlainScopeNeverReusesObjectsSoAStaleTensorAlwaysThrows()
    {
        Tensor stale;
        using (new TensorScope()) stale = Tensor.Ones(4) * 3f;
        var later = new List<Tensor>();
        for (int i = 0; i < 5; i++)
            using (new TensorScope())
                later.Add(Tensor.Ones(4) * 2f);
        Assert.DoesNotContain(later, t => ReferenceEquals(t, stale));
        Assert.Throws<ObjectDisposedException>(() => stale.ToArray());
    }

    [Fact]
    public void RetiredObjectsAreNeverHandedToTensorsOutsideAScope()
    {
        Tensor stale;
        using (new TensorScope(reuseObjects: true)) stale = Tensor.Ones(4) * 3f;
        var created = new List<Tensor>();
        for (int i = 0; i < 20; i++) created.Add(Tensor.Ones(4) * 2f); // no scope: long-lived tensors
        Assert.DoesNotContain(created, t => ReferenceEquals(t, stale));
        Assert.Throws<ObjectDisposedException>(() => stale.ToArray());
        Assert.All(created, t => Assert.Equal([2f, 2f, 2f, 2f], t.ToArray()));
    }

    [Fact]
    public void KeptTensorsAndTheirGraphsAreNeverReused()
    {
        var w = new Parameter(Tensor.Full([2, 3], 0.5f));
        Tensor kept, keptView, keptNoGraph;
        Node keptNode;
        Tensor?[] keptInputs;
        using (var scope = new TensorScope(reuseObjects: true))
        {
            var hidden = Functional.Relu(Functional.Linear(Tensor.Ones(4, 3), w));
            kept = scope.Keep(hidden.Sum());
            keptNode = kept.GradFn!;
            keptInputs = [.. keptNode.Inputs];
            keptNoGraph = scope.Keep(Tensor.Full([3], 7f));
            keptView = keptNoGraph.Reshape(3, 1);
        }
        var later = new List<Tensor>();
        for (int step = 0; step < 3; step++)
        {
            using (new TensorScope(reuseObjects: true))
            {
                var h = Functional.Relu(Functional.Linear(Tensor.Ones(4, 3), w));
                later.Add(h);
                later.Add(h.Sum());
                later.Add(Tensor.Full([3], 1f));
                later.Add(Tensor.Full([3], 1f).Reshape(3, 1));
            }
        }
        Assert.DoesNotContain(later, t => ReferenceEquals(t, kept) || ReferenceEquals(t, keptView) || ReferenceEquals(t, keptNoGraph));
        Assert.DoesNotContain(later, t => keptInputs.Any(k => ReferenceEquals(k, t)));
        Assert.Equal(4 * 2 * 1.5f, kept.Item());
        Assert.Same(keptNode, kept.GradFn);
        Assert.Equal(keptInputs, keptNode.Inputs);
        Assert.Equal([7f, 7f, 7f], keptView.ToArray());
        Assert.Equal([7f, 7f, 7f], keptNoGraph.ToArray());
    }

    [Fact]
    public void AScopedTensorSetAsAGradientIsNeverReused()
    {
        var p = new Parameter(Tensor.Ones(3));
        Tensor grad;
        using (new TensorScope(reuseObjects: true))
        {
            grad = Tensor.Full([3], 2f);
            p.Grad = grad;
        }
        var later = new List<Tensor>();
        for (int i = 0; i < 3; i++)
            using (new TensorScope(reuseObjects: true))
                later.Add(Tensor.Full([3], 5f));
        Assert.DoesNotContain(later, t => ReferenceEquals(t, grad));
        Assert.Same(grad, p.Grad);
        Assert.Throws<ObjectDisposedException>(() => p.Grad!.ToArray()); // its memory went back to the pool, as before
    }

    [Fact]
    public void RetainedGraphsGoBackwardTwiceInsideAScope()
    {
        var w = new Parameter(Tensor.Full([2, 3], 0.25f));
        for (int step = 0; step < 3; step++)
        {
            w.Grad = null;
            using (new TensorScope(reuseObjects: true))
            {
                var loss = Functional.Relu(Functional.Linear(Tensor.Ones(4, 3), w)).Sum();
                loss.Backward(retainGraph: true);
                loss.Backward();
            }
            Assert.Equal(Enumerable.Repeat(8f, 6), w.Grad!.ToArray());
        }
    }

    [Fact]
    public void WithRecyclingTheSteadyStateMlpStepAllocatesUnderOneKilobyte()
    {
        // The benchmark's workload (MLP 784-256-128-10, batch 64, SGD with momentum, one scope per step as
        // the Trainer opens it) on random data. A count of bytes, not a time: deterministic once the JIT,
        // the buffer pool and the object pools are warm.
        if (!TensorScope.RecyclingEnabled) return;
        var g = new Generator(2);
        var data = new TensorDataset(Tensor.Rand(g, 256, 1, 28, 28), Tensor.RandInt(0, 10, [256], g));
        var loader = new DataLoader(data, 64, shuffle: true, generator: g);
        var model = new Sequential(new Flatten(), Models.Mlp(784, [256, 128], 10, generator: g));
        var loss = new CrossEntropyLoss();
        var optimizer = new Sgd(model.Parameters(), 0.05f, momentum: 0.9f);
        long allocated = 0;
        int steps = 0;
        for (int epoch = 0; epoch < 4; epoch++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            using var batches = loader.GetEnumerator();
            while (true)
            {
                using var scope = new TensorScope(reuseObjects: true);
                if (!batches.MoveNext()) break;
                optimizer.ZeroGrad();
                loss.Forward(model.Forward(batches.Current.Inputs), batches.Current.Targets).Backward();
                optimizer.Step();
                if (epoch > 0) steps++;
            }
            if (epoch > 0) allocated += GC.GetAllocatedBytesForCurrentThread() - before;
        }
        long perStep = allocated / steps;
        // What remains is the TensorScope object, the Batch record and the loader's per-epoch enumerator.
        Assert.True(perStep < 1024, $"{perStep} bytes per step");
    }
}
