using System.Globalization;
using System.Xml.Linq;
using Dendrite.Insight;
using Dendrite.NN;

namespace Dendrite.Tests.Insight;

public class GraphViewTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static Tensor CourseGraph()
    {
        // f = (x + y)·z at x = −2, y = 5, z = −4: q = 3, f = −12; ∂f/∂x = ∂f/∂y = z = −4, ∂f/∂z = q = 3.
        var x = Tensor.Scalar(-2).RequiresGrad_();
        var y = Tensor.Scalar(5).RequiresGrad_();
        var z = Tensor.Scalar(-4).RequiresGrad_();
        x.Name = "x";
        y.Name = "y";
        z.Name = "z";
        var f = (x + y) * z;
        f.Backward();
        return f;
    }

    /// <summary>Each box of the SVG: its title (bold line) and the other lines.</summary>
    private static Dictionary<string, List<string>> Boxes(XDocument svg) =>
        svg.Descendants(Svg + "g").ToDictionary(
            g => g.Elements(Svg + "text").First().Value,
            g => g.Elements(Svg + "text").Skip(1).Select(t => t.Value).ToList());

    [Fact]
    public void CourseGraphShowsValuesAndGradientsInSvg()
    {
        var svg = XDocument.Parse(GraphView.ToSvg(CourseGraph()));
        Assert.Equal(Svg + "svg", svg.Root!.Name);
        var boxes = Boxes(svg);
        Assert.Equal(["scalar", "value -2", "grad -4"], boxes["x"]);
        Assert.Equal(["scalar", "value 5", "grad -4"], boxes["y"]);
        Assert.Equal(["scalar", "value -4", "grad 3"], boxes["z"]);
        Assert.Equal(["scalar", "value 3"], boxes["AddBackward"]);
        Assert.Equal(["scalar", "value -12"], boxes["MulBackward"]);
        Assert.Equal(4, svg.Descendants(Svg + "path").Count(p => p.Attribute("marker-end") is not null));
    }

    [Fact]
    public void CourseGraphShowsValuesAndGradientsInDot()
    {
        string dot = GraphView.ToDot(CourseGraph());
        Assert.StartsWith("digraph autograd {", dot);
        var labels = dot.Split('\n').Where(l => l.Contains("label=", StringComparison.Ordinal))
            .ToDictionary(l => l.Trim().Split(' ')[0], l => l[(l.IndexOf("label=\"", StringComparison.Ordinal) + 7)..l.IndexOf("\", fill", StringComparison.Ordinal)]);
        Assert.Equal(5, labels.Count);
        Assert.Contains(@"x\nscalar\nvalue -2\ngrad -4", labels.Values);
        Assert.Contains(@"y\nscalar\nvalue 5\ngrad -4", labels.Values);
        Assert.Contains(@"z\nscalar\nvalue -4\ngrad 3", labels.Values);
        Assert.Contains(@"AddBackward\nscalar\nvalue 3", labels.Values);
        Assert.Equal(@"MulBackward\nscalar\nvalue -12", labels["t0"]);
        string Id(string title) => labels.Single(kv => kv.Value.StartsWith(title + @"\n", StringComparison.Ordinal)).Key;
        foreach (var (from, to) in new[] { ("x", "AddBackward"), ("y", "AddBackward"), ("AddBackward", "MulBackward"), ("z", "MulBackward") })
            Assert.Contains($"  {Id(from)} -> {Id(to)};", dot);
    }

    [Fact]
    public void RetainedGradientsOfIntermediatesAreShown()
    {
        var x = Tensor.Scalar(-2).RequiresGrad_();
        var y = Tensor.Scalar(5).RequiresGrad_();
        var z = Tensor.Scalar(-4).RequiresGrad_();
        (x.Name, y.Name, z.Name) = ("x", "y", "z");
        var q = x + y;
        q.Name = "q";
        q.RetainGrad();
        var f = q * z;
        f.RetainGrad();
        f.Backward();
        var boxes = Boxes(XDocument.Parse(GraphView.ToSvg(f)));
        Assert.Equal(["q", "scalar", "value 3", "grad -4"], boxes["AddBackward"]);
        Assert.Equal(["scalar", "value -12", "grad 1"], boxes["MulBackward"]);
    }

    [Fact]
    public void LayoutRunsFromInputsToOutputWithoutOverlaps()
    {
        var svg = XDocument.Parse(GraphView.ToSvg(CourseGraph()));
        var rects = Rects(svg);
        Assert.True(rects["x"].X + rects["x"].W < rects["AddBackward"].X);
        Assert.True(rects["AddBackward"].X + rects["AddBackward"].W < rects["MulBackward"].X);
        AssertNoOverlaps(rects.Values.ToList());
        var topDown = Rects(XDocument.Parse(GraphView.ToSvg(CourseGraph(), new GraphViewOptions { LeftToRight = false })));
        Assert.True(topDown["AddBackward"].Y + topDown["AddBackward"].H < topDown["MulBackward"].Y);
    }

    [Fact]
    public void ModelGraphNamesParametersAndHidesLargeValues()
    {
        var model = Models.LeNet5(generator: new Generator(1));
        var input = Tensor.Zeros(1, 1, 28, 28);
        input.Name = "input";
        var output = model.Forward(input);
        string text = GraphView.ToSvg(output, new GraphViewOptions { Model = model, LeftToRight = false });
        var svg = XDocument.Parse(text);
        var titles = svg.Descendants(Svg + "g").Select(g => g.Elements(Svg + "text").Select(t => t.Value).ToList()).ToList();
        Assert.Contains(["0.weight", "[6,1,5,5]"], titles);
        Assert.Contains(["11.bias", "[10]"], titles);
        Assert.Contains(["input", "[1,1,28,28]"], titles);
        Assert.Contains(["LinearBackward", "[1,10]"], titles);
        // Each ReLU before a max pool is recorded with it, and the node's name says so.
        Assert.Contains(["ReluMaxPool2dBackward", "[1,6,14,14]"], titles);
        // Values only for tensors of at most 8 elements: the first layer's 6 biases, not its 150 weights.
        Assert.Contains(titles, t => t[0] == "0.bias" && t[2].StartsWith("value [", StringComparison.Ordinal));
        Assert.Single(titles, t => t.Any(line => line.StartsWith("value", StringComparison.Ordinal)));
        AssertNoOverlaps(svg.Descendants(Svg + "rect").Skip(1).Select(Rect).ToList());
        // One box per tensor: the input, the 10 parameters and one result per recorded op (the 12 layers, less
        // the two ReLUs recorded with their max pools; Flatten is a view with its own node).
        Assert.Equal(1 + 10 + 10, titles.Count);
    }

    [Fact]
    public void RepeatedInputsAndSmallVectors()
    {
        var a = Tensor.FromArray([1f, 2f]).RequiresGrad_();
        a.Name = "a";
        var s = (a * a).Sum();
        s.Backward();
        string dot = GraphView.ToDot(s);
        Assert.Contains(@"a\n[2]\nvalue [1, 2]\ngrad [2, 4]", dot);
        Assert.Single(dot.Split('\n'), l => l.Contains("-> t1;", StringComparison.Ordinal));
        Assert.DoesNotContain("value", GraphView.ToDot(s, new GraphViewOptions { MaxValues = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphView.ToDot(s, new GraphViewOptions { MaxValues = -1 }));
    }

    [Fact]
    public void LongEdgesRunThroughTheLayersTheySpan()
    {
        // a feeds the first op and, three layers later, the last one: a skip connection.
        var a = Tensor.FromArray([0.5f, -0.5f]).RequiresGrad_();
        a.Name = "a";
        var b = a.Tanh();
        var c = b.Tanh();
        var d = c.Tanh();
        var e = d + a;
        var svg = XDocument.Parse(GraphView.ToSvg(e));
        var rects = svg.Descendants(Svg + "g").Select(g => Rect(g.Element(Svg + "rect")!)).ToList();
        AssertNoOverlaps(rects);
        var paths = svg.Descendants(Svg + "path").Where(p => p.Attribute("marker-end") is not null).Select(p => p.Attribute("d")!.Value).ToList();
        Assert.Equal(5, paths.Count);
        // Four arrows join neighbouring layers (one curve each); the skip from layer 0 to 4 passes three dummy points.
        Assert.Equal([1, 1, 1, 1, 4], paths.Select(d => d.Count(ch => ch == 'C')).Order());
    }

    private static Dictionary<string, (double X, double Y, double W, double H)> Rects(XDocument svg) =>
        svg.Descendants(Svg + "g").ToDictionary(g => g.Elements(Svg + "text").First().Value, g => Rect(g.Element(Svg + "rect")!));

    private static (double X, double Y, double W, double H) Rect(XElement r) =>
        (D(r, "x"), D(r, "y"), D(r, "width"), D(r, "height"));

    private static double D(XElement e, string name) => double.Parse(e.Attribute(name)?.Value ?? "0", CultureInfo.InvariantCulture);

    private static void AssertNoOverlaps(List<(double X, double Y, double W, double H)> rects)
    {
        for (int i = 0; i < rects.Count; i++)
            for (int j = i + 1; j < rects.Count; j++)
            {
                var (a, b) = (rects[i], rects[j]);
                bool apart = a.X + a.W <= b.X || b.X + b.W <= a.X || a.Y + a.H <= b.Y || b.Y + b.H <= a.Y;
                Assert.True(apart, $"boxes {a} and {b} overlap");
            }
    }
}
