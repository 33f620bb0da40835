using System.Globalization;
using System.Text;
using Dendrite.NN;
using Dendrite.Tensors;

namespace Dendrite.Insight;

/// <summary>What <see cref="GraphView"/> shows and how it lays the graph out.</summary>
public sealed class GraphViewOptions
{
    /// <summary>Values and gradients are printed for tensors of at most this many elements (8 by default; 0: never).</summary>
    public int MaxValues { get; init; } = 8;

    /// <summary>Inputs on the left and the output on the right (the course's drawings; default), else top to bottom.</summary>
    public bool LeftToRight { get; init; } = true;

    /// <summary>A model whose parameters are named by their state-dict names (<c>0.weight</c>) in the graph.</summary>
    public Module? Model { get; init; }
}

/// <summary>
/// The autograd graph of a tensor — what <see cref="Tensor.Backward(bool)"/> walks — drawn as Graphviz DOT
/// text or as a self-contained SVG picture laid out by Dendrite itself (no Graphviz needed), in the manner of
/// the course's backpropagation drawings and of torchviz. Each box is a tensor: a leaf (named by
/// <see cref="Tensor.Name"/> or, with <see cref="GraphViewOptions.Model"/>, its parameter name) or the result
/// of an op (titled by its node, <c>MulBackward</c>); it shows the shape, the value of small tensors and,
/// after <c>Backward</c>, the gradient (leaves, and intermediate tensors whose gradient was retained).
/// Arrows run from an op's inputs to its result.
/// </summary>
public static class GraphView
{
    private const double CharWidth = 7.3, LineHeight = 16, PadX = 10, PadY = 7;

    /// <summary>The graph of <paramref name="root"/> in Graphviz's DOT language.</summary>
    public static string ToDot(Tensor root, GraphViewOptions? options = null)
    {
        options ??= new();
        var (vertices, edges) = Build(root, options);
        var dot = new StringBuilder();
        dot.Append("digraph autograd {\n");
        dot.Append(options.LeftToRight ? "  rankdir=LR;\n" : "  rankdir=TB;\n");
        dot.Append("  node [shape=box, style=\"rounded,filled\", fontname=\"monospace\", fontsize=11];\n");
        for (int i = 0; i < vertices.Count; i++)
        {
            var v = vertices[i];
            string label = string.Join("\\n", new[] { v.Title }.Concat(v.Lines.Select(l => l.Text)).Select(DotEscape));
            dot.Append(CultureInfo.InvariantCulture, $"  t{i} [label=\"{label}\", fillcolor=\"{Fill(v.Kind)}\"];\n");
        }
        foreach (var (from, to) in edges) dot.Append(CultureInfo.InvariantCulture, $"  t{from} -> t{to};\n");
        dot.Append("}\n");
        return dot.ToString();
    }

    /// <summary>The graph of <paramref name="root"/> as a standalone SVG document (UTF-8 text, no external references).</summary>
    public static string ToSvg(Tensor root, GraphViewOptions? options = null)
    {
        options ??= new();
        var (vertices, edges) = Build(root, options);
        var sizes = vertices.Select(v => (
            W: Math.Ceiling(Math.Max(v.Title.Length, v.Lines.Count == 0 ? 0 : v.Lines.Max(l => l.Text.Length)) * CharWidth + 2 * PadX),
            H: (1 + v.Lines.Count) * LineHeight + 2 * PadY)).ToList();
        var layout = new GraphLayout(sizes, edges, options.LeftToRight);
        var svg = new StringBuilder();
        svg.Append(F($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{layout.Width:0}\" height=\"{layout.Height:0}\" viewBox=\"0 0 {layout.Width:0} {layout.Height:0}\" font-family=\"DejaVu Sans Mono, Menlo, Consolas, monospace\" font-size=\"12\">\n"));
        svg.Append("<title>autograd graph</title>\n");
        svg.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        svg.Append(F($"<rect width=\"{layout.Width:0}\" height=\"{layout.Height:0}\" fill=\"white\"/>\n"));
        foreach (var route in layout.Routes)
            svg.Append(F($"<path d=\"{Curve(route, options.LeftToRight)}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.3\" marker-end=\"url(#arrow)\"/>\n"));
        for (int i = 0; i < vertices.Count; i++)
        {
            var v = vertices[i];
            var (cx, cy) = layout.Centres[i];
            var (w, h) = sizes[i];
            double x = cx - w / 2, y = cy - h / 2;
            svg.Append(F($"<g class=\"{v.Kind}\"><rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{w:0.#}\" height=\"{h:0.#}\" rx=\"6\" fill=\"{Fill(v.Kind)}\" stroke=\"#666\"/>\n"));
            double baseline = y + PadY + LineHeight - 4;
            svg.Append(F($"<text x=\"{cx:0.#}\" y=\"{baseline:0.#}\" text-anchor=\"middle\" font-weight=\"bold\">{XmlEscape(v.Title)}</text>\n"));
            foreach (var line in v.Lines)
            {
                baseline += LineHeight;
                string colour = line.Kind switch { LineKind.Value => "#1a6b2f", LineKind.Grad => "#b3261e", _ => "#444" };
                svg.Append(F($"<text x=\"{cx:0.#}\" y=\"{baseline:0.#}\" text-anchor=\"middle\" fill=\"{colour}\">{XmlEscape(line.Text)}</text>\n"));
            }
            svg.Append("</g>\n");
        }
        svg.Append("</svg>\n");
        return svg.ToString();
    }

    internal enum LineKind { Info, Value, Grad }

    internal sealed record Vertex(string Title, string Kind, List<(string Text, LineKind Kind)> Lines);

    /// <summary>Every tensor reachable from <paramref name="root"/> through <see cref="Autograd.Node.Inputs"/>, and the edges input → result.</summary>
    internal static (List<Vertex> Vertices, List<(int From, int To)> Edges) Build(Tensor root, GraphViewOptions options)
    {
        ArgumentNullException.ThrowIfNull(root);
        if (options.MaxValues < 0) throw new ArgumentOutOfRangeException(nameof(options), $"GraphView: MaxValues must be ≥ 0, got {options.MaxValues}");
        var names = new Dictionary<Tensor, string>(ReferenceEqualityComparer.Instance);
        if (options.Model is { } model)
            foreach (var (name, p) in model.NamedParameters()) names[p] = name;
        var index = new Dictionary<Tensor, int>(ReferenceEqualityComparer.Instance);
        var tensors = new List<Tensor>();
        var edges = new List<(int From, int To)>();
        var seen = new HashSet<(int, int)>();
        int Visit(Tensor t)
        {
            if (index.TryGetValue(t, out int i)) return i;
            index[t] = tensors.Count;
            tensors.Add(t);
            return tensors.Count - 1;
        }
        Visit(root);
        // Breadth-first, so vertex order (and the layout's starting order) follows distance from the output.
        for (int k = 0; k < tensors.Count; k++)
        {
            var node = tensors[k].GradFn;
            if (node is null) continue;
            foreach (var input in node.Inputs)
            {
                if (input is null) continue;
                var edge = (Visit(input), k);
                if (seen.Add(edge)) edges.Add(edge); // x * x: one arrow
            }
        }
        var vertices = new List<Vertex>(tensors.Count);
        for (int k = 0; k < tensors.Count; k++)
        {
            var t = tensors[k];
            string? name = names.TryGetValue(t, out var n) ? n : t.Name;
            var lines = new List<(string, LineKind)>();
            string title, kind;
            if (t.GradFn is { } node)
            {
                title = node.Name;
                if (name is not null) lines.Add((name, LineKind.Info));
                kind = k == 0 ? "output" : "op";
            }
            else
            {
                title = name ?? (t.RequiresGrad ? "leaf" : "constant");
                kind = t.RequiresGrad ? "leaf" : "constant";
            }
            lines.Add((t.Rank == 0 ? "scalar" : t.Shape.ToString(), LineKind.Info));
            if (t.Numel <= options.MaxValues) lines.Add(("value " + Values(t), LineKind.Value));
            if (t.Grad is { } grad && grad.Numel <= options.MaxValues) lines.Add(("grad " + Values(grad), LineKind.Grad));
            vertices.Add(new Vertex(title, kind, lines));
        }
        return (vertices, edges);
    }

    /// <summary>A tensor's values, 4 significant digits: <c>-12</c>, or <c>[1, 2.5]</c> for more than one element.</summary>
    internal static string Values(Tensor t)
    {
        var v = t.ToArray().Select(x => x.ToString("G4", CultureInfo.InvariantCulture)).ToArray();
        return t.Rank == 0 ? v[0] : "[" + string.Join(", ", v) + "]";
    }

    private static string Fill(string kind) => kind switch
    {
        "leaf" => "#cfe2f3",
        "constant" => "#eeeeee",
        "output" => "#d9ead3",
        _ => "#fff2cc",
    };

    // Smooth curves through the route, leaving and entering each point along the layer axis (as dot's splines do).
    private static string Curve(List<(double X, double Y)> route, bool leftToRight)
    {
        var d = new StringBuilder(F($"M{route[0].X:0.#},{route[0].Y:0.#}"));
        for (int i = 1; i < route.Count; i++)
        {
            var (ax, ay) = route[i - 1];
            var (bx, by) = route[i];
            double half = leftToRight ? (bx - ax) / 2 : (by - ay) / 2;
            var (c1x, c1y) = leftToRight ? (ax + half, ay) : (ax, ay + half);
            var (c2x, c2y) = leftToRight ? (bx - half, by) : (bx, by - half);
            d.Append(F($" C{c1x:0.#},{c1y:0.#} {c2x:0.#},{c2y:0.#} {bx:0.#},{by:0.#}"));
        }
        return d.ToString();
    }

    internal static string XmlEscape(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal)
        .Replace(">", "&gt;", StringComparison.Ordinal).Replace("\"", "&quot;", StringComparison.Ordinal);

    private static string DotEscape(string s) => s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);

    private static string F(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
