using System.Globalization;
using System.Text;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Optim;

/// <summary>
/// Base class of the optimizers, like <c>torch.optim.Optimizer</c>: it holds the parameters it updates
/// and any per-parameter state; <see cref="Step"/> applies one update from the current gradients and
/// <see cref="ZeroGrad"/> clears them. Hyper-parameters are validated in constructors. The parameters come
/// in one or more <see cref="ParamGroup"/>s, each with its own learning rate and other settings, as PyTorch's
/// <c>param_groups</c>; the update loops walk group by group, reading a group's settings once per step.
/// </summary>
/// <remarks>
/// Per-parameter state (a step count and named buffers shaped like the parameter, e.g. Adam's
/// <c>exp_avg</c>) is allocated on a parameter's first update and reused afterwards, so steady-state steps
/// allocate nothing. Parameters whose <see cref="Tensor.Grad"/> is null are skipped (their step count does
/// not advance), as in PyTorch. Updates write straight into the parameters' storage; no graph is recorded.
/// </remarks>
public abstract class Optimizer
{
    private readonly long[] steps;
    private readonly float[][]?[] buffers; // [parameter][state name]
    private readonly int[] groupOf; // [parameter] → its group's index
    private readonly List<Parameter> parameterList; // Parameters, typed so loops over it need no enumerator object

    /// <summary>Creates an optimizer over <paramref name="parameters"/> (at least one, no duplicates): one group.</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
        : this([new ParamGroup(parameters ?? throw new ArgumentNullException(nameof(parameters)))], learningRate)
    {
    }

    /// <summary>
    /// Creates an optimizer over parameter groups (at least one parameter in all, none in two groups);
    /// <paramref name="learningRate"/> is the rate of the groups that do not set their own.
    /// </summary>
    protected Optimizer(IEnumerable<ParamGroup> paramGroups, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(paramGroups);
        var given = paramGroups.ToList();
        if (given.Any(g => g is null)) throw new ArgumentNullException(nameof(paramGroups), $"{GetType().Name}: a parameter group is null");
        CheckLearningRate(learningRate, null);
        var groups = new ParamGroup[given.Count];
        parameterList = [];
        for (int g = 0; g < groups.Length; g++)
        {
            groups[g] = ParamGroup.Join(given[g], parameterList.Count, learningRate);
            CheckLearningRate(groups[g].LearningRate, groups.Length > 1 ? g : null);
            parameterList.AddRange(groups[g].Parameters);
        }
        Groups = groups;
        Parameters = parameterList;
        if (parameterList.Count == 0)
            throw new ArgumentException($"{GetType().Name}: the optimizer got an empty parameter list");
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        foreach (var p in parameterList)
            if (!seen.Add(p))
                throw new ArgumentException($"{GetType().Name}: a parameter of shape {p.Shape} is in more than one parameter group");
        steps = new long[parameterList.Count];
        buffers = new float[parameterList.Count][][];
        groupOf = new int[parameterList.Count];
        for (int g = 0; g < groups.Length; g++)
            for (int i = groups[g].First; i < groups[g].End; i++) groupOf[i] = g;
    }

    /// <summary>Every parameter this optimizer updates, group after group (the indices of <see cref="StateDict"/>).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The parameter groups with their effective hyper-parameters (PyTorch's <c>param_groups</c>): one group
    /// when the optimizer was given a list of parameters. Change a group's learning rate here.
    /// </summary>
    public IReadOnlyList<ParamGroup> ParamGroups => Groups;

    /// <summary>The groups, as an array the update loops walk without an enumerator.</summary>
    private protected ParamGroup[] Groups { get; }

    /// <summary>
    /// The learning rate of the first group (the only one, unless groups were given); setting it sets every
    /// group's. Schedulers change each group's own (<see cref="ParamGroups"/>).
    /// </summary>
    public float LearningRate
    {
        get => Groups[0].LearningRate;
        set
        {
            foreach (var group in Groups) group.LearningRate = value;
        }
    }

    /// <summary>Updates every parameter that has a gradient. Runs without recording a graph.</summary>
    public abstract void Step();

    /// <summary>Zeroes every parameter's gradient.</summary>
    public void ZeroGrad()
    {
        foreach (var p in parameterList) p.ZeroGrad();
    }

    /// <summary>How many updates parameter <paramref name="index"/> has received.</summary>
    public long StepCount(int index) => steps[index];

    /// <summary>
    /// The optimizer's state for a checkpoint, as copies: <c>"lr"</c> (a scalar, or with several groups a
    /// vector of each group's rate, and then <c>"param_group_sizes"</c>, the number of parameters in each), and
    /// for every parameter <c>i</c> (its position in <see cref="Parameters"/>) that has been updated,
    /// <c>"i.step"</c> (scalar) and <c>"i.NAME"</c> for each state buffer, with PyTorch's buffer names
    /// (<c>momentum_buffer</c>, <c>sum</c>, <c>square_avg</c>, <c>grad_avg</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>,
    /// <c>max_exp_avg_sq</c>). Step counts are stored as float32, exact up to 2²⁴ steps. Hyper-parameters other
    /// than the learning rates are constructor arguments and are not part of the state.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor>();
        if (Groups.Length == 1)
        {
            state["lr"] = Tensor.Scalar(LearningRate);
        }
        else
        {
            state["lr"] = Tensor.FromArray(Groups.Select(g => g.LearningRate).ToArray());
            state["param_group_sizes"] = Tensor.FromArray(Groups.Select(g => (float)g.Parameters.Count).ToArray());
        }
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (steps[i] == 0) continue;
            state[$"{i}.step"] = Tensor.Scalar(steps[i]);
            var names = Groups[groupOf[i]].StateNames;
            for (int b = 0; b < names.Length; b++)
                state[$"{i}.{names[b]}"] = Tensor.FromArray(buffers[i]![b], Parameters[i].Shape.ToArray());
        }
        return state;
    }

    /// <summary>
    /// Restores state written by <see cref="StateDict"/> of an optimizer of the same kind and options over
    /// parameters of the same shapes, in groups of the same sizes. Everything is checked first; on any
    /// mismatch nothing changes and the error lists the problems. With <paramref name="complete"/>, every
    /// parameter's state is required (a state saved after every parameter was stepped, such as a training
    /// checkpoint's); otherwise a parameter without state starts fresh.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state, bool complete = false)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        var known = new HashSet<string> { "lr" };
        var rates = CheckGroupState(state, known, problems);
        var newSteps = new long[Parameters.Count];
        for (int i = 0; i < Parameters.Count; i++)
        {
            string stepKey = $"{i}.step";
            var names = Groups[groupOf[i]].StateNames;
            known.Add(stepKey);
            foreach (var name in names) known.Add($"{i}.{name}");
            if (!state.TryGetValue(stepKey, out var step))
            {
                if (complete) problems.Add($"missing {stepKey}");
                foreach (var name in names)
                    if (state.ContainsKey($"{i}.{name}")) problems.Add($"{i}.{name} given without {stepKey}");
                continue;
            }
            float s = step.Numel == 1 ? step.Item() : float.NaN;
            if (!(s >= 1) || s != MathF.Floor(s) || float.IsInfinity(s)) problems.Add($"{stepKey} must be a whole number ≥ 1");
            else newSteps[i] = (long)s;
            foreach (var name in names)
            {
                string key = $"{i}.{name}";
                if (!state.TryGetValue(key, out var buffer)) problems.Add($"missing {key}");
                else if (buffer.Shape != Parameters[i].Shape) problems.Add($"{key}: expected shape {Parameters[i].Shape}, got {buffer.Shape}");
            }
        }
        problems.AddRange(state.Keys.Where(k => !known.Contains(k)).Select(k => $"unexpected {k}"));
        if (problems.Count > 0)
            throw new ArgumentException(new StringBuilder($"{GetType().Name}.LoadStateDict: the state does not fit this optimizer: ")
                .AppendJoin("; ", problems).ToString());

        for (int g = 0; g < Groups.Length; g++) Groups[g].LearningRate = rates![g];
        for (int i = 0; i < Parameters.Count; i++)
        {
            steps[i] = newSteps[i];
            if (newSteps[i] == 0)
            {
                buffers[i] = null;
                continue;
            }
            var names = Groups[groupOf[i]].StateNames;
            var own = buffers[i] ??= NewBuffers(Parameters[i].Numel, names.Length);
            for (int b = 0; b < names.Length; b++) state[$"{i}.{names[b]}"].ToArray().CopyTo(own[b], 0);
        }
    }

    // The learning rates of a state dict, one per group (null, with problems added, when they do not fit).
    private float[]? CheckGroupState(IReadOnlyDictionary<string, Tensor> state, HashSet<string> known, List<string> problems)
    {
        if (!state.TryGetValue("lr", out var lr))
        {
            problems.Add("missing lr");
            return null;
        }
        if (Groups.Length > 1)
        {
            known.Add("param_group_sizes");
            var expected = Groups.Select(g => (float)g.Parameters.Count).ToArray();
            if (!state.TryGetValue("param_group_sizes", out var sizes)) problems.Add("missing param_group_sizes");
            else if (!sizes.ToArray().SequenceEqual(expected))
                problems.Add($"param_group_sizes: expected [{string.Join(",", expected)}], got [{string.Join(",", sizes.ToArray())}]");
        }
        var rates = lr.ToArray();
        bool shapeFits = Groups.Length == 1 ? lr.Numel == 1 : lr.Rank == 1 && lr.Numel == Groups.Length;
        if (!shapeFits || rates.Any(r => !(r >= 0) || float.IsInfinity(r)))
        {
            problems.Add(Groups.Length == 1
                ? $"lr must be one non-negative value, got shape {lr.Shape}"
                : $"lr must hold {Groups.Length} non-negative values (one per parameter group), got shape {lr.Shape}");
            return null;
        }
        return rates;
    }

    /// <summary>
    /// Resolves every group's hyper-parameters: <paramref name="setUp"/> reads (and checks) each setting it uses
    /// with <see cref="NonNegative"/>, <see cref="UnitInterval"/> or <see cref="ParamGroup.Resolve(Setting, bool)"/>,
    /// and returns the names of the state buffers the group's parameters need. Called once by a built-in optimizer's constructor; a
    /// group that sets a hyper-parameter this optimizer never read is an error.
    /// </summary>
    private protected void SetUpGroups(Func<ParamGroup, string[]> setUp)
    {
        foreach (var group in Groups)
        {
            group.StateNames = setUp(group);
            if (group.UnusedSetting() is { } unused)
                throw new ArgumentException(
                    $"{GetType().Name}: parameter group {Array.IndexOf(Groups, group)} sets {unused}, which {GetType().Name} does not have");
        }
    }

    /// <summary>
    /// Declares the names of the per-parameter state buffers (PyTorch's names), the same for every group;
    /// called once by the constructor.
    /// </summary>
    protected void DeclareState(params string[] names)
    {
        foreach (var group in Groups) group.StateNames = names;
    }

    /// <summary>
    /// Starts the update of parameter <paramref name="index"/>: returns false when it has no gradient (skip it),
    /// otherwise its gradient as a contiguous span, advances its step count and allocates its zeroed state on
    /// the first step (<paramref name="firstStep"/> tells the optimizer to initialise it).
    /// </summary>
    protected bool BeginUpdate(int index, out ReadOnlySpan<float> gradient, out bool firstStep)
    {
        var p = Parameters[index];
        gradient = default;
        firstStep = false;
        if (p.Grad is not { } grad) return false;
        if (grad.Shape != p.Shape)
            throw new InvalidOperationException($"{GetType().Name}: gradient of shape {grad.Shape} does not match its parameter of shape {p.Shape}");
        if (!grad.IsContiguous) grad = grad.ContiguousNoGrad();
        gradient = grad.Span[..grad.Numel];
        firstStep = steps[index] == 0;
        if (firstStep) buffers[index] = NewBuffers(p.Numel, Groups[groupOf[index]].StateNames.Length);
        steps[index]++;
        return true;
    }

    /// <summary>State buffer <paramref name="slot"/> (in <see cref="DeclareState"/> order) of parameter <paramref name="index"/>.</summary>
    protected Span<float> State(int index, int slot) => buffers[index]![slot];

    /// <summary>The parameter's values, updated in place (parameters own contiguous storage).</summary>
    protected Span<float> Values(int index)
    {
        // The caller writes the values in place: mark the change, so a graph that saved the old values
        // refuses to go backward (Storage.Version).
        Parameters[index].Storage.MarkModified();
        return Parameters[index].Span[..Parameters[index].Numel];
    }

    private static float[][] NewBuffers(int numel, int count)
    {
        var result = new float[count][];
        for (int b = 0; b < result.Length; b++) result[b] = new float[numel];
        return result;
    }

    /// <summary>Formats a hyper-parameter for an error message.</summary>
    protected static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>Throws unless <paramref name="value"/> is finite and ≥ 0: "{Type}: {what} must be non-negative, got {value}".</summary>
    protected void RequireNonNegative(float value, string what)
    {
        if (!(value >= 0) || float.IsInfinity(value))
            throw new ArgumentException($"{GetType().Name}: {what} must be non-negative, got {Format(value)}");
    }

    /// <summary>Throws unless 0 ≤ <paramref name="value"/> &lt; 1 (upper bound inclusive if asked).</summary>
    protected void RequireUnitInterval(float value, string what, bool includeOne = false) =>
        RequireUnitInterval(value, what, includeOne, null);

    /// <summary>A group's <paramref name="setting"/> (the optimizer's <paramref name="fallback"/> unless it sets its own), checked to be finite and ≥ 0.</summary>
    private protected float NonNegative(ParamGroup group, Setting setting, float fallback, string what)
    {
        float value = group.Resolve(setting, fallback);
        if (!(value >= 0) || float.IsInfinity(value))
            throw new ArgumentException($"{GetType().Name}: {what} must be non-negative, got {Format(value)}{InGroup(group)}");
        return value;
    }

    /// <summary>A group's <paramref name="setting"/>, checked to lie in [0, 1) (or [0, 1]).</summary>
    private protected float UnitInterval(ParamGroup group, Setting setting, float fallback, string what, bool includeOne = false)
    {
        float value = group.Resolve(setting, fallback);
        RequireUnitInterval(value, what, includeOne, group);
        return value;
    }

    private void RequireUnitInterval(float value, string what, bool includeOne, ParamGroup? group)
    {
        if (!(value >= 0 && (includeOne ? value <= 1 : value < 1)))
            throw new ArgumentException(
                $"{GetType().Name}: {what} must be in [0, 1{(includeOne ? "]" : ")")}, got {Format(value)}{(group is null ? "" : InGroup(group))}");
    }

    private void CheckLearningRate(float value, int? group)
    {
        if (!(value > 0) || float.IsInfinity(value))
            throw new ArgumentException(
                $"{GetType().Name}: learning rate must be positive, got {Format(value)}{(group is { } g ? $" in parameter group {g}" : "")}");
    }

    /// <summary>" in parameter group g" when there are several groups (so one group's messages read as before), else "".</summary>
    private protected string InGroup(ParamGroup group) => Groups.Length > 1 ? $" in parameter group {Array.IndexOf(Groups, group)}" : "";
}
