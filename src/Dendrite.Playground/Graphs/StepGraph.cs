using Dendrite.Playground.Web;
using Dendrite.Tensors;

namespace Dendrite.Playground.Graphs;

/// <summary>
/// The lectures' computational graphs, evaluated by Dendrite's autograd so the page can replay them node by
/// node: the forward pass gives each node's value; the backward pass gives each node's gradient ∂f/∂node as
/// the upstream gradient times the node's local gradients, which are found by running the node's one op on
/// fresh leaves and calling Backward on it. The leaves' gradients from one <c>f.Backward()</c> on the whole
/// graph are returned too: the chain rule applied node by node must give the same numbers.
/// </summary>
internal static class StepGraph
{
    /// <summary>A node: a leaf (op "input", with its default value) or an op over earlier nodes.</summary>
    private sealed record Node(string Id, string Op, string Label, string[] Inputs, float Default = 0);

    private static readonly Dictionary<string, Node[]> Graphs = new()
    {
        // f = (x + y)·z, the lectures' first graph (at x = −2, y = 5, z = −4: f = −12, gradients −4, −4, 3).
        ["sum-product"] =
        [
            new("x", "input", "x", [], -2), new("y", "input", "y", [], 5), new("z", "input", "z", [], -4),
            new("q", "add", "q = x + y", ["x", "y"]), new("f", "mul", "f = q · z", ["q", "z"]),
        ],
        // One sigmoid neuron of two inputs, f = σ(w0·x0 + w1·x1 + b): the "tiny network".
        ["neuron"] =
        [
            new("w0", "input", "w0", [], 2), new("x0", "input", "x0", [], -1), new("w1", "input", "w1", [], -3),
            new("x1", "input", "x1", [], -2), new("b", "input", "b", [], -3),
            new("p0", "mul", "w0 · x0", ["w0", "x0"]), new("p1", "mul", "w1 · x1", ["w1", "x1"]),
            new("s", "add", "s = w0·x0 + w1·x1", ["p0", "p1"]), new("z", "add", "z = s + b", ["s", "b"]),
            new("f", "sigmoid", "f = σ(z)", ["z"]),
        ],
    };

    public static IReadOnlyCollection<string> Names => Graphs.Keys;

    public sealed record Request(string Graph, Dictionary<string, float>? Values);

    public static object Evaluate(Request request)
    {
        if (request.Graph is null || !Graphs.TryGetValue(request.Graph, out var nodes))
            throw HttpError.BadRequest($"unknown graph '{request.Graph}' (use {string.Join(", ", Graphs.Keys)})");
        var values = request.Values ?? [];
        foreach (var (name, v) in values)
        {
            if (!nodes.Any(n => n.Id == name && n.Op == "input"))
                throw HttpError.BadRequest($"graph '{request.Graph}' has no input '{name}' (its inputs: {string.Join(", ", nodes.Where(n => n.Op == "input").Select(n => n.Id))})");
            if (!float.IsFinite(v) || Math.Abs(v) > 1e6) throw HttpError.BadRequest($"{name}: a finite value of at most 1e6 in magnitude, got {v}");
        }

        // Forward through the whole graph, then one Backward: the library's own answer for the leaves.
        var tensors = new Dictionary<string, Tensor>();
        foreach (var n in nodes)
            tensors[n.Id] = n.Op == "input"
                ? Tensor.Scalar(values.GetValueOrDefault(n.Id, n.Default)).RequiresGrad_()
                : Apply(n.Op, [.. n.Inputs.Select(i => tensors[i])]);
        var output = tensors[nodes[^1].Id];
        output.Backward();

        // Backward node by node: each node's local gradients, times the gradient flowing into it.
        var locals = nodes.ToDictionary(n => n.Id, n => n.Op == "input" ? [] : Local(n.Op, [.. n.Inputs.Select(i => tensors[i].Item())]));
        var grads = nodes.ToDictionary(n => n.Id, _ => 0f);
        grads[nodes[^1].Id] = 1;
        foreach (var n in nodes.Reverse())
            for (int j = 0; j < n.Inputs.Length; j++)
                grads[n.Inputs[j]] += grads[n.Id] * locals[n.Id][j];

        return new
        {
            graph = request.Graph,
            output = nodes[^1].Id,
            nodes = nodes.Select(n => new
            {
                id = n.Id,
                op = n.Op,
                label = n.Label,
                inputs = n.Inputs,
                value = tensors[n.Id].Item(),
                grad = grads[n.Id],
                local = locals[n.Id],
            }),
            autograd = nodes.Where(n => n.Op == "input").ToDictionary(n => n.Id, n => tensors[n.Id].Grad!.Item()),
        };
    }

    private static Tensor Apply(string op, Tensor[] inputs) => op switch
    {
        "add" => inputs[0] + inputs[1],
        "mul" => inputs[0] * inputs[1],
        _ => inputs[0].Sigmoid(),
    };

    /// <summary>∂op/∂input for each input at these input values, by autograd on fresh leaves.</summary>
    private static float[] Local(string op, float[] inputs)
    {
        var leaves = inputs.Select(v => Tensor.Scalar(v).RequiresGrad_()).ToArray();
        Apply(op, leaves).Backward();
        return [.. leaves.Select(l => l.Grad!.Item())];
    }
}
