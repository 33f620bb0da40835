using Dendrite.Autograd;
using Dendrite.NN;
using Dendrite.NN.Layers;
using Dendrite.NN.Losses;
using Dendrite.Tensors;

namespace Dendrite.Playground.Networks;

/// <summary>
/// The network a configuration describes, as one <see cref="Sequential"/> that takes raw rows (what is
/// downloaded is exactly what was trained): for points of the plane a <see cref="FeatureMap"/> of the chosen
/// features; for CSV rows a frozen Linear that standardises each column (x − mean) / std; then per hidden
/// layer Linear → activation (→ Dropout); then a Linear to one logit per class (or one value for regression).
/// </summary>
internal sealed class PlaygroundNetwork
{
    private PlaygroundNetwork(Sequential model, int inputs, Module front, int frontWidth, List<Hidden> hidden, List<Linear> linears, bool regression)
    {
        Model = model;
        Inputs = inputs;
        Front = front;
        FrontWidth = frontWidth;
        HiddenLayers = hidden;
        Linears = linears;
        IsRegression = regression;
    }

    /// <summary>A hidden layer: its Linear, and the index of the module whose output is the layer's neurons.</summary>
    public sealed record Hidden(Linear Linear, int OutputIndex);

    public Sequential Model { get; }

    /// <summary>Raw input columns.</summary>
    public int Inputs { get; }

    /// <summary>The feature map or the standardising layer; what the first trained Linear sees comes from it.</summary>
    public Module Front { get; }

    /// <summary>Width of <see cref="Front"/>'s output (the input nodes of the diagram).</summary>
    public int FrontWidth { get; }

    public IReadOnlyList<Hidden> HiddenLayers { get; }

    /// <summary>The trained Linear layers, hidden ones then the output layer: the diagram's edges and what regularisation penalises.</summary>
    public IReadOnlyList<Linear> Linears { get; }

    public bool IsRegression { get; }

    /// <summary>The parameters the optimizer updates (the standardising layer's are fixed).</summary>
    public IEnumerable<Parameter> TrainableParameters => Linears.SelectMany(l => l.Parameters());

    /// <summary>The weights (not biases) the L1/L2 penalty applies to, as in TensorFlow Playground.</summary>
    public IEnumerable<Tensor> PenalisedWeights => Linears.Select(l => (Tensor)l.Weight);

    public Loss Loss { get; private init; } = null!;

    public static PlaygroundNetwork Build(NetworkConfig config, PlaygroundData data)
    {
        var g = new Generator(config.Seed + 1);
        var model = new Sequential();
        Module front;
        int width;
        if (data.IsPlane)
        {
            var map = new FeatureMap(config.FeatureFlags());
            (front, width) = (map, map.OutFeatures);
        }
        else
        {
            front = Standardizer(data);
            width = data.Columns;
        }
        model.Add(front);
        var hidden = new List<Hidden>();
        var linears = new List<Linear>();
        foreach (var layer in config.Layers)
        {
            var linear = new Linear(width, layer.Neurons, generator: g);
            model.Add(linear);
            model.Add(Activation(layer.Activation));
            hidden.Add(new Hidden(linear, model.Count - 1));
            linears.Add(linear);
            if (layer.Dropout > 0) model.Add(new Dropout(layer.Dropout, g));
            width = layer.Neurons;
        }
        var output = new Linear(width, config.IsRegression ? 1 : data.ClassCount, generator: g);
        model.Add(output);
        linears.Add(output);
        return new PlaygroundNetwork(model, data.Columns, front, front is FeatureMap f ? f.OutFeatures : data.Columns, hidden, linears, config.IsRegression)
        {
            Loss = config.IsRegression ? new MseLoss() : new CrossEntropyLoss(),
        };
    }

    public static Module Activation(string name) => name switch
    {
        "relu" => new ReLU(),
        "sigmoid" => new Sigmoid(),
        "linear" => new Identity(),
        "leakyrelu" => new LeakyReLU(),
        _ => new Tanh(),
    };

    /// <summary>A Linear fixed at weight diag(1/std), bias −mean/std, so the exported model takes raw CSV rows.</summary>
    private static Linear Standardizer(PlaygroundData data)
    {
        int f = data.Columns;
        var weight = new float[f * f];
        var bias = new float[f];
        for (int c = 0; c < f; c++)
        {
            float scale = data.Std[c] > 1e-12f ? 1 / data.Std[c] : 1;
            weight[c * f + c] = scale;
            bias[c] = -data.Mean[c] * scale;
        }
        var linear = new Linear(f, f);
        using (GradMode.NoGrad())
        {
            linear.Weight.CopyFrom_(Tensor.FromArray(weight, f, f));
            linear.Bias!.CopyFrom_(Tensor.FromArray(bias, f));
        }
        return linear;
    }

    /// <summary>
    /// Runs <paramref name="input"/> through the model without recording a graph, in evaluation mode, and
    /// returns the output and the front's and each hidden layer's output (the diagram's node values).
    /// </summary>
    public (Tensor Output, Tensor Front, Tensor[] Hidden) Probe(Tensor input)
    {
        using var _ = GradMode.NoGrad();
        bool training = Model.Training;
        Model.Eval();
        try
        {
            return Run(input);
        }
        finally
        {
            Model.Train(training);
        }
    }

    private (Tensor Output, Tensor Front, Tensor[] Hidden) Run(Tensor input)
    {
        var hidden = new Tensor[HiddenLayers.Count];
        Tensor x = input, frontOut = input;
        int h = 0;
        for (int i = 0; i < Model.Count; i++)
        {
            x = Model[i].Forward(x);
            if (i == 0) frontOut = x;
            if (h < hidden.Length && HiddenLayers[h].OutputIndex == i) hidden[h++] = x;
        }
        return (x, frontOut, hidden);
    }
}
