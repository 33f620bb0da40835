using System.Globalization;
using System.Xml.Linq;
using Dendrite.Cli;

namespace Dendrite.Tests.Cli;

/// <summary><c>dendrite graph</c>, run in-process.</summary>
public sealed class GraphCommandTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "dendrite-graph-" + Guid.NewGuid().ToString("N"));

    public GraphCommandTests() => Directory.CreateDirectory(dir);

    public void Dispose()
    {
        try { Directory.Delete(dir, recursive: true); } catch (IOException) { }
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void WritesTheSvgOfABuiltInModel()
    {
        string path = Path.Combine(dir, "lenet.svg");
        var r = Run("graph", "--model", "lenet5", "--out", path);
        Assert.Equal(0, r.Code);
        Assert.Contains("wrote", r.Out);
        var svg = XDocument.Load(path);
        XNamespace ns = "http://www.w3.org/2000/svg";
        var titles = svg.Descendants(ns + "g").Select(g => g.Element(ns + "text")!.Value).ToList();
        Assert.Contains("input", titles);
        Assert.Contains("0.weight", titles);
        Assert.Equal(2, titles.Count(t => t == "Conv2dBackward"));
        Assert.Equal(3, titles.Count(t => t == "LinearBackward"));
    }

    [Fact]
    public void WritesDotForAnMlp()
    {
        string path = Path.Combine(dir, "mlp.dot");
        var r = Run("graph", "--model", "mlp:4", "--inputs", "2", "--outputs", "3", "--out", path, "--left-to-right");
        Assert.Equal(0, r.Code);
        string dot = File.ReadAllText(path);
        Assert.Contains("rankdir=LR", dot);
        Assert.Contains(@"input\n[1,2]\nvalue [0, 0]", dot);
        Assert.Contains(@"2.bias\n[3]", dot);
    }

    [Fact]
    public void BadArgumentsAreOneLine()
    {
        var r = Run("graph", "--model", "lenet5", "--out", Path.Combine(dir, "g.png"));
        Assert.Equal(2, r.Code);
        Assert.StartsWith("dendrite: error: ", r.Err);
        Assert.Contains(".svg or .dot", r.Err);
        r = Run("graph", "--model", Path.Combine(dir, "missing.safetensors"), "--out", Path.Combine(dir, "g.svg"));
        Assert.Equal(1, r.Code);
        Assert.Single(r.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(File.Exists(Path.Combine(dir, "g.svg")));
    }
}
