using Dendrite.NN;

namespace Dendrite.Serialization.Layers;

/// <summary>
/// Every <see cref="LayerType"/>, by spec name and by module class. The types are found, once, as the
/// concrete <see cref="LayerType"/> classes of this namespace, so a new layer type is one new file here: no
/// list elsewhere to extend or to forget (the registry tests then check it like every other type).
/// </summary>
internal static class LayerRegistry
{
    private static readonly LayerType[] All = typeof(LayerType).Assembly.GetTypes()
        .Where(t => t.Namespace == typeof(LayerType).Namespace && t.IsSubclassOf(typeof(LayerType)) && !t.IsAbstract && !t.IsGenericType)
        .Select(t => (LayerType)Activator.CreateInstance(t, nonPublic: true)!)
        .OrderBy(t => t.Name, StringComparer.Ordinal)
        .ToArray();

    private static readonly Dictionary<string, LayerType> ByName = All.ToDictionary(t => t.Name);

    private static readonly Dictionary<Type, LayerType> ByModule = All.ToDictionary(t => t.ModuleType);

    /// <summary>The layer types, in order of name.</summary>
    public static IReadOnlyList<LayerType> Types => All;

    /// <summary>The type with the given canonical name (<see cref="LayerSpec.Kind"/>), or null.</summary>
    public static LayerType? Find(string kind) => ByName.GetValueOrDefault(kind);

    /// <summary>The type that builds modules of <paramref name="module"/>'s exact class, or null.</summary>
    public static LayerType? Find(Module module) => ByModule.GetValueOrDefault(module.GetType());
}
