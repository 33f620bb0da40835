using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>Applies its children in order; they are named "0", "1", ... as in <c>torch.nn.Sequential</c>.</summary>
public sealed class Sequential : Module
{
    private readonly List<Module> layers = [];
    private Module[]? steps; // the fusion pass's plan of layers, made on first use after a change

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
        steps = null;
        return this;
    }

    /// <summary>The number of child modules.</summary>
    public int Count => layers.Count;

    /// <summary>The child at <paramref name="index"/>.</summary>
    public Module this[int index] => layers[index];

    /// <summary>
    /// Runs the children in order, each through <see cref="Module.Call"/> (so their hooks run). The steps come
    /// from <see cref="Fusion"/>, which joins a few neighbouring layers (Linear→ReLU, Conv2d→ReLU,
    /// Conv2d→ReLU→MaxPool2d, BatchNorm→ReLU, and at inference Conv2d→BatchNorm2d→ReLU(→MaxPool2d) with the
    /// batch norm folded into the convolution) into one op; the result is the same as running the layers one
    /// by one (the folded batch norm up to rounding), which is what happens while any child has a hook (a
    /// fused step would skip it).
    /// </summary>
    public override Tensor Forward(Tensor input)
    {
        var x = input;
        if (AnyChildHooked())
            foreach (var layer in layers) x = layer.Call(x);
        else
            foreach (var step in steps ??= Fusion.Plan(layers)) x = step.Call(x);
        return x;
    }

    private bool AnyChildHooked()
    {
        foreach (var layer in layers)
            if (layer.HasHooks) return true;
        return false;
    }
}
