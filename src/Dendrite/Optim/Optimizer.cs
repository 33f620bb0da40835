using System.Globalization;
using System.Text;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Optim;

/// <summary>
/// Base class of the optimizers, like <c>torch.optim.Optimizer</c>: it holds the parameters it updates
/// and any per-parameter state; <see cref="Step"/> applies one update from the current gradients and
/// <see cref="ZeroGrad"/> clears them. Hyper-parameters are validated in constructors.
/// </summary>
/// <remarks>
/// Per-parameter state (a step count and named buffers shaped like the parameter, e.g. Adam's
/// <c>exp_avg</c>) is allocated on a parameter's first update and reused afterwards, so steady-state steps
/// allocate nothing. Parameters whose <see cref="Tensor.Grad"/> is null are skipped (their step count does
/// not advance), as in PyTorch. Updates write straight into the parameters' storage; no graph is recorded.
/// </remarks>
public abstract class Optimizer
{
    private string[] stateNames = [];
    private readonly long[] steps;
    private readonly float[][]?[] buffers; // [parameter][state name]
    private readonly List<Parameter> parameterList; // Parameters, typed so loops over it need no enumerator object

    /// <summary>Creates an optimizer over <paramref name="parameters"/> (at least one, no duplicates).</summary>
    protected Optimizer(IEnumerable<Parameter> parameters, float learningRate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameterList = parameters.Distinct(ReferenceEqualityComparer.Instance).Cast<Parameter>().ToList();
        if (Parameters.Count == 0)
            throw new ArgumentException($"{GetType().Name}: the optimizer got an empty parameter list");
        if (!(learningRate > 0) || float.IsInfinity(learningRate))
            throw new ArgumentException($"{GetType().Name}: learning rate must be positive, got {Format(learningRate)}");
        LearningRate = learningRate;
        steps = new long[Parameters.Count];
        buffers = new float[Parameters.Count][][];
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The current learning rate (schedulers change it between epochs).</summary>
    public float LearningRate { get; set; }

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
    /// The optimizer's state for a checkpoint, as copies: <c>"lr"</c> (scalar), and for every parameter
    /// <c>i</c> (its position in <see cref="Parameters"/>) that has been updated, <c>"i.step"</c> (scalar) and
    /// <c>"i.NAME"</c> for each state buffer, with PyTorch's buffer names (<c>momentum_buffer</c>, <c>sum</c>,
    /// <c>square_avg</c>, <c>grad_avg</c>, <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>max_exp_avg_sq</c>).
    /// Step counts are stored as float32, exact up to 2²⁴ steps. Hyper-parameters other than the learning
    /// rate are constructor arguments and are not part of the state.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        var state = new Dictionary<string, Tensor> { ["lr"] = Tensor.Scalar(LearningRate) };
        for (int i = 0; i < Parameters.Count; i++)
        {
            if (steps[i] == 0) continue;
            state[$"{i}.step"] = Tensor.Scalar(steps[i]);
            for (int b = 0; b < stateNames.Length; b++)
                state[$"{i}.{stateNames[b]}"] = Tensor.FromArray(buffers[i]![b], Parameters[i].Shape.ToArray());
        }
        return state;
    }

    /// <summary>
    /// Restores state written by <see cref="StateDict"/> of an optimizer of the same kind and options over
    /// parameters of the same shapes. Everything is checked first; on any mismatch nothing changes and the
    /// error lists the problems.
    /// </summary>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var problems = new List<string>();
        var known = new HashSet<string> { "lr" };
        if (!state.TryGetValue("lr", out var lr)) problems.Add("missing lr");
        else if (lr.Numel != 1 || !(lr.Item() > 0) || float.IsInfinity(lr.Item())) problems.Add($"lr must be one positive value, got shape {lr.Shape}");
        var newSteps = new long[Parameters.Count];
        for (int i = 0; i < Parameters.Count; i++)
        {
            string stepKey = $"{i}.step";
            known.Add(stepKey);
            foreach (var name in stateNames) known.Add($"{i}.{name}");
            if (!state.TryGetValue(stepKey, out var step))
            {
                foreach (var name in stateNames)
                    if (state.ContainsKey($"{i}.{name}")) problems.Add($"{i}.{name} given without {stepKey}");
                continue;
            }
            float s = step.Numel == 1 ? step.Item() : float.NaN;
            if (!(s >= 1) || s != MathF.Floor(s) || float.IsInfinity(s)) problems.Add($"{stepKey} must be a whole number ≥ 1");
            else newSteps[i] = (long)s;
            foreach (var name in stateNames)
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

        LearningRate = lr!.Item();
        for (int i = 0; i < Parameters.Count; i++)
        {
            steps[i] = newSteps[i];
            if (newSteps[i] == 0)
            {
                buffers[i] = null;
                continue;
            }
            var own = buffers[i] ??= NewBuffers(Parameters[i].Numel);
            for (int b = 0; b < stateNames.Length; b++) state[$"{i}.{stateNames[b]}"].ToArray().CopyTo(own[b], 0);
        }
    }

    /// <summary>Declares the names of the per-parameter state buffers (PyTorch's names); called once by the constructor.</summary>
    protected void DeclareState(params string[] names) => stateNames = names;

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
        if (firstStep) buffers[index] = NewBuffers(p.Numel);
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

    private float[][] NewBuffers(int numel)
    {
        var result = new float[stateNames.Length][];
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
    protected void RequireUnitInterval(float value, string what, bool includeOne = false)
    {
        if (!(value >= 0 && (includeOne ? value <= 1 : value < 1)))
            throw new ArgumentException($"{GetType().Name}: {what} must be in [0, 1{(includeOne ? "]" : ")")}, got {Format(value)}");
    }
}
