using System.Text.Json;

namespace Dendrite.Tests.Parity;

/// <summary>
/// Reads a fixture written by a tools/parity script with PyTorch: named cases, each with tensors and
/// attributes. Fixtures are committed, so the tests never need Python.
/// </summary>
public sealed class ParityFixture
{
    private ParityFixture(string torchVersion, IReadOnlyList<ParityCase> cases)
    {
        TorchVersion = torchVersion;
        Cases = cases;
    }

    public string TorchVersion { get; }

    public IReadOnlyList<ParityCase> Cases { get; }

    public ParityCase this[string name] =>
        Cases.FirstOrDefault(c => c.Name == name) ?? throw new KeyNotFoundException($"no parity case '{name}'");

    private static readonly Dictionary<string, ParityFixture> Cache = [];

    /// <summary>Loads Parity/Fixtures/<paramref name="fileName"/> from the test output folder (cached).</summary>
    public static ParityFixture Load(string fileName)
    {
        lock (Cache)
        {
            if (Cache.TryGetValue(fileName, out var cached)) return cached;
            var path = Path.Combine(AppContext.BaseDirectory, "Parity", "Fixtures", fileName);
            using var doc = JsonDocument.Parse(File.ReadAllText(path));
            var root = doc.RootElement;
            var cases = root.GetProperty("cases").EnumerateArray().Select(ParityCase.Parse).ToList();
            var fixture = new ParityFixture(root.GetProperty("torch").GetString() ?? "?", cases);
            Cache[fileName] = fixture;
            return fixture;
        }
    }

    /// <summary>Case names, for [MemberData].</summary>
    public static IEnumerable<object[]> Names(string fileName) => Load(fileName).Cases.Select(c => new object[] { c.Name });
}

/// <summary>One fixture case: tensors and attributes by name.</summary>
public sealed class ParityCase
{
    private readonly Dictionary<string, Tensor> tensors;
    private readonly Dictionary<string, JsonElement> attrs;

    private ParityCase(string name, Dictionary<string, Tensor> tensors, Dictionary<string, JsonElement> attrs)
    {
        Name = name;
        this.tensors = tensors;
        this.attrs = attrs;
    }

    public string Name { get; }

    public IEnumerable<string> TensorNames => tensors.Keys;

    public bool Has(string name) => tensors.ContainsKey(name);

    /// <summary>A fresh copy of the named tensor (tests may mutate it).</summary>
    public Tensor Tensor(string name) =>
        tensors.TryGetValue(name, out var t) ? t.Clone() : throw new KeyNotFoundException($"{Name}: no tensor '{name}'");

    public double Number(string name) => Attr(name).GetDouble();

    public string Text(string name) => Attr(name).GetString()!;

    public bool HasAttr(string name) => attrs.ContainsKey(name);

    public JsonElement Attr(string name) =>
        attrs.TryGetValue(name, out var a) ? a : throw new KeyNotFoundException($"{Name}: no attribute '{name}'");

    // JSON has no NaN or infinity; the fixture scripts write them as strings.
    private static float ReadNumber(JsonElement x) => x.ValueKind == JsonValueKind.String
        ? x.GetString() switch
        {
            "NaN" => float.NaN,
            "Infinity" => float.PositiveInfinity,
            "-Infinity" => float.NegativeInfinity,
            var other => throw new FormatException($"fixture: '{other}' is not a number"),
        }
        : (float)x.GetDouble();

    internal static ParityCase Parse(JsonElement e)
    {
        var tensors = new Dictionary<string, Tensor>();
        foreach (var p in e.GetProperty("tensors").EnumerateObject())
        {
            var shape = p.Value.GetProperty("shape").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            var data = p.Value.GetProperty("data").EnumerateArray().Select(ReadNumber).ToArray();
            tensors[p.Name] = shape.Length == 0 ? Dendrite.Tensors.Tensor.Scalar(data[0]) : Dendrite.Tensors.Tensor.FromArray(data, shape);
        }
        var attrs = e.GetProperty("attrs").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        return new ParityCase(e.GetProperty("name").GetString()!, tensors, attrs);
    }
}

/// <summary>Comparisons for parity tests: |a − b| ≤ atol + rtol·|b| element by element, with a message naming the worst element.</summary>
public static class ParityAssert
{
    public static void Close(Tensor expected, Tensor actual, string what, double rtol = 1e-5, double atol = 1e-6)
    {
        Assert.True(expected.Shape == actual.Shape, $"{what}: expected shape {expected.Shape}, got {actual.Shape}");
        var e = expected.ToArray();
        var a = actual.ToArray();
        for (int i = 0; i < e.Length; i++)
        {
            double diff = Math.Abs((double)e[i] - a[i]);
            if (!(diff <= atol + rtol * Math.Abs(e[i])) && !(float.IsNaN(e[i]) && float.IsNaN(a[i])))
                Assert.Fail($"{what}: element {i} is {a[i]:G9}, PyTorch gives {e[i]:G9} (|diff| = {diff:G3})");
        }
    }
}
