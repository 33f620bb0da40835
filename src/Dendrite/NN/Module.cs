using System.Text;
using Dendrite.Autograd;
using Dendrite.Tensors;

namespace Dendrite.NN;

/// <summary>
/// Base class of every layer and model, like <c>torch.nn.Module</c>. A module registers its parameters,
/// buffers (state that is saved but not learned, such as batch-norm running means) and child modules
/// explicitly in its constructor — no reflection — and <see cref="NamedParameters"/>,
/// <see cref="StateDict"/> and <see cref="Train"/> walk that registry in registration order, naming
/// entries the way PyTorch does (<c>0.weight</c>, <c>features.conv1.bias</c>).
/// </summary>
public abstract partial class Module
{
    private readonly List<(string Name, Parameter Value)> parameters = [];
    private readonly List<(string Name, Tensor Value)> buffers = [];
    private readonly List<(string Name, Module Value)> children = [];

    /// <summary>True in training mode (the default), false after <see cref="Eval"/>.</summary>
    public bool Training { get; private set; } = true;

    /// <summary>Computes the module's output.</summary>
    public abstract Tensor Forward(Tensor input);

    /// <summary>
    /// Runs <see cref="Forward"/> with the module's hooks around it, like calling a <c>torch.nn.Module</c>:
    /// <c>model.Call(x)</c>. Without hooks it is exactly <see cref="Forward"/>; hooks (Module.Hooks.cs) run
    /// only through Call, as PyTorch's run only through <c>__call__</c>, not <c>forward</c>.
    /// </summary>
    public Tensor Call(Tensor input) => hooks is null ? Forward(input) : hooks.Run(this, input);

    /// <summary>Registers a learnable parameter under <paramref name="name"/> and returns it.</summary>
    protected Parameter RegisterParameter(string name, Parameter parameter)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(parameter);
        parameters.Add((name, parameter));
        return parameter;
    }

    /// <summary>Registers a buffer (saved in the state dict, never learned) and returns it.</summary>
    protected Tensor RegisterBuffer(string name, Tensor buffer)
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(buffer);
        TensorScope.Disown(buffer); // module state outlives any scope it was created in
        buffers.Add((name, buffer));
        return buffer;
    }

    /// <summary>Registers a child module and returns it.</summary>
    protected T RegisterModule<T>(string name, T module) where T : Module
    {
        CheckName(name);
        ArgumentNullException.ThrowIfNull(module);
        children.Add((name, module));
        return module;
    }

    private void CheckName(string name)
    {
        if (string.IsNullOrEmpty(name) || name.Contains('.'))
            throw new ArgumentException($"{GetType().Name}: '{name}' is not a valid name (non-empty, without '.')");
        if (parameters.Any(p => p.Name == name) || buffers.Any(b => b.Name == name) || children.Any(c => c.Name == name))
            throw new ArgumentException($"{GetType().Name}: the name '{name}' is already registered");
    }

    /// <summary>The direct children, in registration order.</summary>
    public IEnumerable<(string Name, Module Module)> NamedChildren() => children;

    /// <summary>This module and every descendant, with dotted names ("" for this one).</summary>
    public IEnumerable<(string Name, Module Module)> NamedModules(string prefix = "")
    {
        yield return (prefix, this);
        foreach (var (name, child) in children)
            foreach (var entry in child.NamedModules(Join(prefix, name)))
                yield return entry;
    }

    /// <summary>Every parameter of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedParameters()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, p) in module.parameters)
                yield return (Join(prefix, name), p);
    }

    /// <summary>Every parameter of this module and its descendants.</summary>
    public IEnumerable<Parameter> Parameters() => NamedParameters().Select(p => p.Parameter);

    /// <summary>Every buffer of this module and its descendants, with dotted names.</summary>
    public IEnumerable<(string Name, Tensor Buffer)> NamedBuffers()
    {
        foreach (var (prefix, module) in NamedModules())
            foreach (var (name, b) in module.buffers)
                yield return (Join(prefix, name), b);
    }

    /// <summary>The number of learnable scalars.</summary>
    public long ParameterCount() => Parameters().Sum(p => (long)p.Numel);

    /// <summary>Sets training mode on this module and its descendants (affects Dropout, BatchNorm, ...).</summary>
    public Module Train(bool mode = true)
    {
        foreach (var (_, module) in NamedModules()) module.Training = mode;
        return this;
    }

    /// <summary>Sets evaluation mode: <c>Train(false)</c>.</summary>
    public Module Eval() => Train(false);

    /// <summary>Zeroes the gradients of every parameter.</summary>
    public void ZeroGrad()
    {
        foreach (var p in Parameters()) p.ZeroGrad();
    }

    /// <summary>Parameters and buffers by dotted name, in registration order (views of the live tensors).</summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        foreach (var (name, p) in NamedParameters()) state[name] = p.Detach();
        foreach (var (name, b) in NamedBuffers()) state[name] = b.Detach();
        return state;
    }

    /// <summary>
    /// Copies values from <paramref name="state"/> into the parameters and buffers. With
    /// <paramref name="strict"/>, every entry must match by name and shape; otherwise nothing is changed
    /// and the error lists the missing, unexpected and mis-shaped entries.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(state);
        var own = NamedParameters().Select(p => (p.Name, Value: (Tensor)p.Parameter))
            .Concat(NamedBuffers().Select(b => (b.Name, Value: b.Buffer))).ToList();
        var missing = own.Where(o => !state.ContainsKey(o.Name)).Select(o => o.Name).ToList();
        var unexpected = state.Keys.Where(k => own.All(o => o.Name != k)).ToList();
        var misShaped = own.Where(o => state.TryGetValue(o.Name, out var t) && t.Shape != o.Value.Shape)
            .Select(o => $"{o.Name}: expected {o.Value.Shape}, got {state[o.Name].Shape}").ToList();
        if (misShaped.Count > 0 || (strict && (missing.Count > 0 || unexpected.Count > 0)))
        {
            var message = new StringBuilder($"LoadStateDict: the state does not fit {GetType().Name}.");
            if (missing.Count > 0) message.Append(" Missing: ").Append(string.Join(", ", missing)).Append('.');
            if (unexpected.Count > 0) message.Append(" Unexpected: ").Append(string.Join(", ", unexpected)).Append('.');
            if (misShaped.Count > 0) message.Append(" Wrong shape: ").Append(string.Join("; ", misShaped)).Append('.');
            throw new ArgumentException(message.ToString());
        }
        using var noGrad = GradMode.NoGrad();
        foreach (var (name, value) in own)
            if (state.TryGetValue(name, out var source)) value.CopyFrom_(source);
    }

    /// <summary>A one-line description of this module's own settings, e.g. <c>in_features=4, out_features=2</c>.</summary>
    protected virtual string ExtraRepr() => "";

    /// <summary>A nested description like PyTorch's module printing.</summary>
    public override string ToString()
    {
        var text = new StringBuilder(GetType().Name).Append('(').Append(ExtraRepr());
        if (children.Count > 0)
        {
            text.Append('\n');
            foreach (var (name, child) in children)
                text.Append("  (").Append(name).Append("): ").Append(child.ToString().Replace("\n", "\n  ")).Append('\n');
        }
        return text.Append(')').ToString();
    }

    private static string Join(string prefix, string name) => prefix.Length == 0 ? name : prefix + "." + name;
}
