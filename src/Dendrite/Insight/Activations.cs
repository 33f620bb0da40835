using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>One layer's output for the input given to <see cref="Activations.Capture"/>.</summary>
/// <param name="Name">The layer's dotted name in the model (<c>0</c>, <c>features.conv1</c>), as in its state dict.</param>
/// <param name="Module">The layer.</param>
/// <param name="Output">Its output: [N, ...] for a batch, without the batch dimension for one sample.</param>
public sealed record LayerActivation(string Name, Module Module, Tensor Output);

/// <summary>
/// The internal activations of a network: what each layer computes for an input, the feature maps a course
/// shows as images (Zeiler &amp; Fergus 2014, "Visualizing and Understanding Convolutional Networks", look at
/// them layer by layer). Read through forward hooks (<see cref="Module.RegisterForwardHook"/>), removed again
/// before the method returns.
/// </summary>
public static class Activations
{
    /// <summary>
    /// Runs <paramref name="model"/> once on <paramref name="input"/> (evaluation mode, no graph) and returns the
    /// output of every layer — every module without children — in the order they ran (a layer run twice appears
    /// twice). The input is a batch or one sample (see the model's first layer: a Conv2d takes [N, C, H, W] or
    /// [C, H, W], a Linear [N, F] or [F]); for one sample the outputs have no batch dimension. Layers are seen
    /// when they are invoked through <see cref="Module.Call"/>, as <see cref="Sequential"/> invokes its children;
    /// a custom module's Forward should call its children that way. The model is left as it was.
    /// </summary>
    public static IReadOnlyList<LayerActivation> Capture(Module model, Tensor input)
    {
        const string op = "Activations.Capture";
        var (batch, single) = Probe.AsBatch(model, input, op);
        var layers = Layers(model);
        var captured = new List<LayerActivation>();
        var handles = new List<IDisposable>();
        using var probe = Probe.Open(model, grad: false);
        try
        {
            foreach (var (name, layer) in layers)
                handles.Add(layer.RegisterForwardHook((m, _, output) =>
                {
                    captured.Add(new LayerActivation(name, m, single && output.Rank > 0 ? output.Squeeze(0) : output));
                    return null;
                }));
            model.Call(batch);
        }
        finally
        {
            foreach (var handle in handles) handle.Dispose();
        }
        return captured;
    }

    /// <summary>The modules without children, by dotted name; a module shared by two parents once, under its first name.</summary>
    internal static List<(string Name, Module Module)> Layers(Module model)
    {
        var seen = new HashSet<Module>(ReferenceEqualityComparer.Instance);
        return model.NamedModules().Where(m => !m.Module.NamedChildren().Any() && seen.Add(m.Module)).ToList();
    }
}
