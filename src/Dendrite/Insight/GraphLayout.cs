namespace Dendrite.Insight;

/// <summary>
/// A layered drawing of a directed acyclic graph (Sugiyama, Tagawa and Toda, 1981), small enough to read:
/// (1) each vertex gets a layer — its longest distance to the sink, counted back from the deepest — so every
/// edge points one way and inputs sit just before their consumer; (2) an edge spanning several layers is cut
/// into a chain of dummy points, one per layer it crosses; (3) each layer is ordered by repeated barycentre
/// sweeps to reduce crossings; (4) positions within a layer are pulled towards the mean of their neighbours
/// while keeping the order and a minimum gap. Layers run along x (left to right) or y (top to bottom).
/// </summary>
internal sealed class GraphLayout
{
    private const double LayerGap = 56, VertexGap = 22, Margin = 12;

    /// <summary>The centre of each vertex.</summary>
    public (double X, double Y)[] Centres { get; }

    /// <summary>Each edge's route: from the source's border, through its dummy points, to the target's border.</summary>
    public List<(double X, double Y)>[] Routes { get; }

    public double Width { get; }

    public double Height { get; }

    /// <summary>Lays out vertices of the given sizes joined by <paramref name="edges"/> (from, to); the graph must be acyclic.</summary>
    public GraphLayout(IReadOnlyList<(double W, double H)> sizes, IReadOnlyList<(int From, int To)> edges, bool leftToRight)
    {
        int n = sizes.Count;
        // Work in (along, across) coordinates: "along" runs through the layers, "across" within one.
        var along = sizes.Select(s => leftToRight ? s.W : s.H).ToList();
        var across = sizes.Select(s => leftToRight ? s.H : s.W).ToList();
        int[] layer = Layers(n, edges);

        // Dummy points: vertex ids n, n+1, ... of zero size.
        var chains = new List<int>[edges.Count];
        var links = new List<(int From, int To)>();
        var layerOf = layer.ToList();
        for (int e = 0; e < edges.Count; e++)
        {
            var (from, to) = edges[e];
            var chain = new List<int> { from };
            for (int l = layer[from] + 1; l < layer[to]; l++)
            {
                chain.Add(layerOf.Count);
                layerOf.Add(l);
                along.Add(0);
                across.Add(0);
            }
            chain.Add(to);
            for (int i = 0; i + 1 < chain.Count; i++) links.Add((chain[i], chain[i + 1]));
            chains[e] = chain;
        }
        int total = layerOf.Count, layers = n == 0 ? 0 : layerOf.Max() + 1;
        var preds = Enumerable.Range(0, total).Select(_ => new List<int>()).ToArray();
        var succs = Enumerable.Range(0, total).Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in links)
        {
            succs[a].Add(b);
            preds[b].Add(a);
        }

        var order = Enumerable.Range(0, layers).Select(l => Enumerable.Range(0, total).Where(v => layerOf[v] == l).ToList()).ToArray();
        var rank = new double[total];
        void Number() { foreach (var row in order) for (int i = 0; i < row.Count; i++) rank[row[i]] = i; }
        Number();
        for (int sweep = 0; sweep < 8; sweep++)
        {
            bool down = sweep % 2 == 0;
            for (int k = 1; k < layers; k++)
            {
                int l = down ? k : layers - 1 - k;
                var row = order[l];
                var key = row.ToDictionary(v => v, v =>
                {
                    var nb = down ? preds[v] : succs[v];
                    return nb.Count == 0 ? rank[v] : nb.Average(u => rank[u]);
                });
                order[l] = row.OrderBy(v => key[v]).ThenBy(v => rank[v]).ToList();
                for (int i = 0; i < order[l].Count; i++) rank[order[l][i]] = i;
            }
        }

        // Across: pack each layer, then pull each vertex towards its neighbours without reordering or
        // overlapping. A pendant input (a parameter: no inputs, one consumer) follows its consumer and yields to
        // everything else, so the chain of ops runs straight and parameters gather around it.
        bool Pendant(int v) => v < n && preds[v].Count == 0 && succs[v].Count == 1;
        var weight = Enumerable.Range(0, total).Select(v => Pendant(v) ? 0.05 : 1.0).ToArray();
        var pos = new double[total];
        foreach (var row in order) Pack(row, new double[row.Count], Enumerable.Repeat(1.0, row.Count).ToArray(), across, pos);
        for (int iteration = 0; iteration < 16; iteration++)
            for (int k = 0; k < layers; k++)
            {
                int l = iteration % 2 == 0 ? k : layers - 1 - k;
                var row = order[l];
                var desired = row.Select(v =>
                {
                    var nb = preds[v].Concat(succs[v]).ToList();
                    var main = nb.Where(u => !Pendant(u)).ToList();
                    if (main.Count > 0) nb = main;
                    return nb.Count == 0 ? pos[v] : nb.Average(u => pos[u]);
                }).ToArray();
                Pack(row, desired, row.Select(v => weight[v]).ToArray(), across, pos);
            }
        double minAcross = Enumerable.Range(0, total).Min(v => pos[v] - across[v] / 2);
        double maxAcross = Enumerable.Range(0, total).Max(v => pos[v] + across[v] / 2);

        // Along: each layer as deep as its deepest vertex.
        var layerStart = new double[layers];
        double cursor = Margin;
        var depth = new double[layers];
        for (int v = 0; v < total; v++) depth[layerOf[v]] = Math.Max(depth[layerOf[v]], along[v]);
        for (int l = 0; l < layers; l++)
        {
            layerStart[l] = cursor;
            cursor += depth[l] + LayerGap;
        }
        double alongExtent = cursor - LayerGap + Margin, acrossExtent = maxAcross - minAcross + 2 * Margin;
        (double X, double Y) Point(double a, double c) => leftToRight ? (a, c - minAcross + Margin) : (c - minAcross + Margin, a);
        var centre = new (double X, double Y)[total];
        for (int v = 0; v < total; v++) centre[v] = Point(layerStart[layerOf[v]] + depth[layerOf[v]] / 2, pos[v]);

        Centres = centre[..n];
        // Ports: the edges entering (leaving) a vertex are spread along its border in the order of where they
        // come from (go to), so they arrive side by side rather than at one point.
        var entry = new double[edges.Count];
        var exit = new double[edges.Count];
        var incoming = Enumerable.Range(0, edges.Count).ToLookup(e => chains[e][^1]);
        var outgoing = Enumerable.Range(0, edges.Count).ToLookup(e => chains[e][0]);
        for (int v = 0; v < n; v++)
        {
            Spread(incoming[v].OrderBy(e => pos[chains[e][^2]]).ToList(), across[v], entry);
            Spread(outgoing[v].OrderBy(e => pos[chains[e][1]]).ToList(), across[v], exit);
        }
        Routes = new List<(double X, double Y)>[edges.Count];
        for (int e = 0; e < edges.Count; e++)
        {
            var chain = chains[e];
            var route = new List<(double X, double Y)>();
            int from = chain[0], to = chain[^1];
            route.Add(Point(layerStart[layerOf[from]] + depth[layerOf[from]] / 2 + along[from] / 2, pos[from] + exit[e]));
            for (int i = 1; i + 1 < chain.Count; i++) route.Add(centre[chain[i]]);
            route.Add(Point(layerStart[layerOf[to]] + depth[layerOf[to]] / 2 - along[to] / 2, pos[to] + entry[e]));
            Routes[e] = route;
        }
        Width = leftToRight ? alongExtent : acrossExtent;
        Height = leftToRight ? acrossExtent : alongExtent;
    }

    // Layer = (longest path in the graph) − (longest distance to a sink): the output comes last, and an input sits
    // one layer before the first of its consumers rather than beside the other sources.
    private static int[] Layers(int n, IReadOnlyList<(int From, int To)> edges)
    {
        var succs = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
        foreach (var (a, b) in edges) succs[a].Add(b);
        var height = new int[n];
        var state = new byte[n];
        for (int v = 0; v < n; v++) Visit(v);
        int max = n == 0 ? 0 : height.Max();
        return height.Select(h => max - h).ToArray();

        void Visit(int start)
        {
            // Iterative depth-first search: model graphs can be deeper than the stack allows.
            var stack = new Stack<(int V, int Next)>();
            if (state[start] != 0) return;
            stack.Push((start, 0));
            state[start] = 1;
            while (stack.Count > 0)
            {
                var (v, next) = stack.Pop();
                if (next < succs[v].Count)
                {
                    stack.Push((v, next + 1));
                    int w = succs[v][next];
                    if (state[w] == 1) throw new ArgumentException("GraphLayout: the graph has a cycle");
                    if (state[w] == 0)
                    {
                        state[w] = 1;
                        stack.Push((w, 0));
                    }
                    continue;
                }
                state[v] = 2;
                foreach (var w in succs[v]) height[v] = Math.Max(height[v], height[w] + 1);
            }
        }
    }

    // Places the row's vertices, in order and at least their gap apart, minimising Σ wᵢ (xᵢ − desiredᵢ)²: with
    // xᵢ = yᵢ + offsetᵢ (offsetᵢ the packed distance from the first vertex) the constraints become y
    // non-decreasing, a weighted isotonic regression solved exactly by pooling adjacent violators.
    private static void Pack(List<int> row, double[] desired, double[] weights, List<double> size, double[] pos)
    {
        int m = row.Count;
        var offset = new double[m];
        for (int i = 1; i < m; i++)
            offset[i] = offset[i - 1] + (size[row[i - 1]] + size[row[i]]) / 2 + Gap(size[row[i - 1]], size[row[i]]);
        var blocks = new List<(double W, double Sum, int Count)>();
        for (int i = 0; i < m; i++)
        {
            var block = (W: weights[i], Sum: weights[i] * (desired[i] - offset[i]), Count: 1);
            while (blocks.Count > 0 && blocks[^1].Sum / blocks[^1].W >= block.Sum / block.W)
            {
                var last = blocks[^1];
                blocks.RemoveAt(blocks.Count - 1);
                block = (last.W + block.W, last.Sum + block.Sum, last.Count + block.Count);
            }
            blocks.Add(block);
        }
        int j = 0;
        foreach (var (w, sum, count) in blocks)
            for (int c = 0; c < count; c++, j++) pos[row[j]] = sum / w + offset[j];
    }

    private static void Spread(List<int> edges, double size, double[] offsets)
    {
        double step = Math.Min(14, size / (edges.Count + 1));
        for (int i = 0; i < edges.Count; i++) offsets[edges[i]] = (i - (edges.Count - 1) / 2.0) * step;
    }

    // Dummy points (size 0) may run closer together than vertices.
    private static double Gap(double a, double b) => a == 0 || b == 0 ? VertexGap / 2 : VertexGap;
}
