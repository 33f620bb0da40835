using Dendrite.NN.Layers;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>Applies its children in order; they are named "0", "1", ... as in <c>torch.nn.Sequential</c>.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> layers = [];

    /// <summary>A pipeline of the given modules.</summary>
    public Sequential(params Module[] modules)
    {
        ArgumentNullException.ThrowIfNull(modules);
        foreach (var m in modules) Add(m);
    }

    /// <summary>Appends a module, named by its position.</summary>
    public Sequential Add(Module module)
    {
        layers.Add(RegisterModule(layers.Count.ToString(System.Globalization.CultureInfo.InvariantCulture), module));
        return this;
    }

    /// <summary>The number of child modules.</summary>
    public int Count => layers.Count;

    /// <summary>The child at <paramref name="index"/>.</summary>
    public Module this[int index] => layers[index];

    public override Tensor Forward(Tensor input)
    {
        var x = input;
        for (int i = 0; i < layers.Count; i++)
        {
            // Linear or Conv2d then ReLU is one op with the ReLU in its last pass when no gradient is recorded:
            // batch-1 inference pays per op, and the separate ReLU would add a tensor and a pass over it.
            if (layers[i] is Linear linear && i + 1 < layers.Count && layers[i + 1] is ReLU)
            {
                x = Functional.LinearRelu(x, linear.Weight, linear.Bias);
                i++;
                continue;
            }
            if (layers[i] is Conv2d conv && i + 1 < layers.Count && layers[i + 1] is ReLU)
            {
                // ... and a max pooling after them is pooled from cache, not from a written-out map.
                if (i + 2 < layers.Count && layers[i + 2] is MaxPool2d pool && conv.ForwardReluMaxPool(x, pool) is { } pooled)
                {
                    x = pooled;
                    i += 2;
                    continue;
                }
                x = conv.ForwardRelu(x);
                i++;
                continue;
            }
            x = layers[i].Forward(x);
        }
        return x;
    }
}
