using Dendrite.NN;
using Dendrite.Serialization.Onnx;
using Dendrite.Tensors;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// Everything about one layer type of a <see cref="ModelSpec"/> in one place: its spec name and options,
/// its shape inference and constructor (<see cref="Plan"/>), how a built module is described back as a spec
/// layer (<see cref="Describe"/>) and how it is exported to ONNX (<see cref="Export"/>). Each type is one
/// small class in this folder; <see cref="LayerRegistry"/> finds them all.
/// </summary>
internal abstract class LayerType
{
    protected LayerType(string name, params LayerOption[] options)
    {
        Name = name;
        Options = options;
    }

    /// <summary>The name in a spec, in canonical form (lower case, no underscores).</summary>
    public string Name { get; }

    /// <summary>The options a spec may give, in the order a described layer writes them.</summary>
    public IReadOnlyList<LayerOption> Options { get; }

    /// <summary>The module class the type builds (exactly: a subclass is another type).</summary>
    public abstract Type ModuleType { get; }

    /// <summary>
    /// Checks the layer's options against the per-sample shape reaching it and says what it produces and
    /// how to build it; throws <see cref="ModelSpecException"/> naming the layer, option and shapes.
    /// </summary>
    public abstract LayerPlan Plan(LayerArgs args);

    /// <summary>The spec layer that builds a module like <paramref name="module"/>; options at their defaults are left out.</summary>
    public abstract LayerSpec Describe(Module module);

    /// <summary>
    /// The per-sample input size along axis 0 (features or channels) that <paramref name="module"/> was built
    /// for, or null when it takes any; a spec infers this size, so a module is checked against it.
    /// </summary>
    public abstract int? InputSize(Module module);

    /// <summary>Adds the module's ONNX nodes (and initializers), reading <see cref="OnnxLayer.Input"/> and writing <see cref="OnnxLayer.Output"/>.</summary>
    public abstract void Export(OnnxLayer layer, Module module);
}

/// <summary>A layer type that builds <typeparamref name="TModule"/>s; the members taking a module get it typed.</summary>
internal abstract class LayerType<TModule>(string name, params LayerOption[] options) : LayerType(name, options) where TModule : Module
{
    public sealed override Type ModuleType => typeof(TModule);

    public sealed override LayerSpec Describe(Module module)
    {
        var description = new LayerDescription(Name);
        Describe((TModule)module, description);
        return description.ToSpec();
    }

    public sealed override int? InputSize(Module module) => InputSize((TModule)module);

    public sealed override void Export(OnnxLayer layer, Module module) => Export(layer, (TModule)module);

    /// <summary>Sets each option to the module's value (<see cref="LayerDescription.Set"/> leaves out defaults); nothing for a type without options.</summary>
    protected virtual void Describe(TModule module, LayerDescription description)
    {
    }

    protected virtual int? InputSize(TModule module) => null;

    protected abstract void Export(OnnxLayer layer, TModule module);
}

/// <summary>
/// A layer type without options or parameters that keeps the shape (ReLU, Tanh, ...) and exports as one
/// ONNX operator of the same meaning.
/// </summary>
internal abstract class ElementwiseLayer<TModule>(string name, string onnxOp) : LayerType<TModule>(name) where TModule : Module, new()
{
    public override LayerPlan Plan(LayerArgs args) => new(args.Input, 0, 0, _ => new TModule());

    protected override void Export(OnnxLayer layer, TModule module) => layer.Node(onnxOp, [layer.Input]);
}

/// <summary>
/// What a layer of a spec becomes on a given input: its per-sample output shape, its learnable parameter
/// count, its multiply-adds per sample, and how to build the module (parameters drawn from the generator).
/// </summary>
internal sealed record LayerPlan(int[] Output, long Parameters, long MultiplyAdds, Func<Generator?, Module> Make);

/// <summary>The options of a module being described, collected in the type's order.</summary>
internal sealed class LayerDescription(string type)
{
    private readonly List<(string Name, object Value)> options = [];

    /// <summary>Sets an option, unless <paramref name="value"/> is its default (a described layer says only what differs).</summary>
    public void Set<T>(LayerOption<T> option, T value) where T : struct
    {
        if (!option.Required && option.Default is T fallback && EqualityComparer<T>.Default.Equals(fallback, value)) return;
        options.Add((option.Name, option.Write(value)));
    }

    public LayerSpec ToSpec() => LayerSpec.Of(type, [.. options]);
}
