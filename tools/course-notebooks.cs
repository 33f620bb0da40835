#:property PublishAot=false
// Turns every course program examples/course/NN-topic.cs into the Jupyter notebook docs/course/notebooks/NN-topic.ipynb
// for the .NET Interactive C# kernel. A line that is exactly "// %%" (or "// %% Title") starts a new cell; a
// title becomes a markdown heading before it. The program's "#:project" line becomes a "#r" of the library that
// project builds in Release, with "#r nuget:" lines for the project's package references; the implicit usings of
// a project are added, and "args" is defined empty, since a notebook has no command line.
//
//   dotnet run tools/course-notebooks.cs            writes the notebooks (and deletes those whose program is gone)
//   dotnet run tools/course-notebooks.cs -- --check  writes nothing; exits 1 naming every notebook that is out of date
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;

bool check = args.Contains("--check");
if (args.Any(a => a != "--check"))
{
    Console.Error.WriteLine("usage: dotnet run tools/course-notebooks.cs [-- --check]");
    return 2;
}

var root = new DirectoryInfo(Environment.CurrentDirectory);
while (root is not null && !File.Exists(Path.Combine(root.FullName, "Dendrite.slnx"))) root = root.Parent;
if (root is null)
{
    Console.Error.WriteLine("course-notebooks: run it inside the repository (no Dendrite.slnx above the current directory)");
    return 1;
}
var programs = Path.Combine(root.FullName, "examples", "course");
var notebooks = Path.Combine(root.FullName, "docs", "course", "notebooks");

var wanted = new Dictionary<string, string>(StringComparer.Ordinal);
foreach (var program in Directory.Exists(programs) ? Directory.GetFiles(programs, "*.cs").Order(StringComparer.Ordinal).ToArray() : [])
{
    var name = Path.GetFileNameWithoutExtension(program);
    if (!Regex.IsMatch(name, "^[0-9]{2}-")) continue;
    wanted[Path.Combine(notebooks, name + ".ipynb")] = Notebook(name, File.ReadAllLines(program), programs, notebooks);
}
var stale = Directory.Exists(notebooks) ? Directory.GetFiles(notebooks, "*.ipynb").Where(f => !wanted.ContainsKey(f)).ToList() : [];

var outdated = wanted.Where(p => !File.Exists(p.Key) || File.ReadAllText(p.Key) != p.Value).Select(p => p.Key).ToList();
string Relative(string path) => Path.GetRelativePath(root.FullName, path);
if (check)
{
    foreach (var path in outdated) Console.WriteLine($"course-notebooks: {Relative(path)} is out of date with its program");
    foreach (var path in stale) Console.WriteLine($"course-notebooks: {Relative(path)} has no program in examples/course");
    if (outdated.Count + stale.Count == 0)
    {
        Console.WriteLine($"course-notebooks: all {wanted.Count} notebooks are up to date");
        return 0;
    }
    Console.WriteLine("course-notebooks: regenerate them with: dotnet run tools/course-notebooks.cs");
    return 1;
}

Directory.CreateDirectory(notebooks);
foreach (var path in outdated)
{
    // Written beside and moved over, so an interrupted run never leaves half a notebook.
    File.WriteAllText(path + ".tmp", wanted[path]);
    File.Move(path + ".tmp", path, overwrite: true);
    Console.WriteLine($"course-notebooks: wrote {Relative(path)}");
}
foreach (var path in stale)
{
    File.Delete(path);
    Console.WriteLine($"course-notebooks: deleted {Relative(path)}");
}
Console.WriteLine($"course-notebooks: {wanted.Count} notebooks, {outdated.Count} written, {stale.Count} deleted");
return 0;

// The notebook's JSON for the program NAME with the given lines.
static string Notebook(string name, string[] lines, string programFolder, string notebookFolder)
{
    var cells = new List<(string Kind, List<string> Lines)>
    {
        ("markdown", [
            $"# {name}",
            "",
            $"Generated from [`examples/course/{name}.cs`](../../../examples/course/{name}.cs) by `tools/course-notebooks.cs`: edit the",
            "program, not this notebook, and regenerate with `dotnet run tools/course-notebooks.cs`. The page that explains it is",
            $"[`docs/course/{name}.md`](../{name}.md). The first cell loads the library built in Release; build it first with",
            "`dotnet build -c Release src/Dendrite`, and run the notebook with the .NET Interactive C# kernel.",
        ]),
    };

    var setup = new List<string>();
    foreach (var line in lines.Where(l => l.StartsWith("#:project ", StringComparison.Ordinal)))
    {
        var project = Path.GetFullPath(Path.Combine(programFolder, line["#:project ".Length..].Trim()));
        // The kernel loads the library's DLL alone; its NuGet dependencies (which a library's build output does
        // not hold) come through the kernel's own package references.
        foreach (var package in XDocument.Load(project).Descendants("PackageReference"))
            setup.Add($"#r \"nuget: {package.Attribute("Include")?.Value}, {package.Attribute("Version")?.Value}\"");
        var dll = Path.Combine(Path.GetDirectoryName(project)!, "bin", "Release", "net10.0", Path.GetFileNameWithoutExtension(project) + ".dll");
        setup.Add($"#r \"{Path.GetRelativePath(notebookFolder, dll).Replace('\\', '/')}\"");
    }
    // The implicit usings of a .NET project, which a file-based program has and the kernel does not.
    setup.AddRange(["using System.IO;", "using System.Net.Http;", "using System.Threading;"]);
    setup.Add("string[] args = []; // a notebook has no command line: the program's defaults apply");
    cells.Add(("code", setup));

    var current = new List<string>();
    void Flush()
    {
        while (current.Count > 0 && current[0].Trim().Length == 0) current.RemoveAt(0);
        while (current.Count > 0 && current[^1].Trim().Length == 0) current.RemoveAt(current.Count - 1);
        if (current.Count > 0) cells.Add(("code", current));
        current = [];
    }
    foreach (var line in lines)
    {
        if (line.StartsWith("#:", StringComparison.Ordinal)) continue;
        var marker = Regex.Match(line, @"^// %%(?:\s+(.*\S))?\s*$");
        if (marker.Success)
        {
            Flush();
            if (marker.Groups[1].Success) cells.Add(("markdown", [$"## {marker.Groups[1].Value}"]));
            continue;
        }
        current.Add(line);
    }
    Flush();

    var buffer = new MemoryStream();
    using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
    {
        json.WriteStartObject();
        json.WriteStartArray("cells");
        for (int i = 0; i < cells.Count; i++)
        {
            var (kind, text) = cells[i];
            json.WriteStartObject();
            json.WriteString("cell_type", kind);
            if (kind == "code") json.WriteNull("execution_count");
            json.WriteString("id", $"cell-{i}");
            json.WriteStartObject("metadata");
            json.WriteEndObject();
            if (kind == "code")
            {
                json.WriteStartArray("outputs");
                json.WriteEndArray();
            }
            json.WriteStartArray("source");
            for (int j = 0; j < text.Count; j++) json.WriteStringValue(j < text.Count - 1 ? text[j] + "\n" : text[j]);
            json.WriteEndArray();
            json.WriteEndObject();
        }
        json.WriteEndArray();
        json.WriteStartObject("metadata");
        json.WriteStartObject("kernelspec");
        json.WriteString("display_name", ".NET (C#)");
        json.WriteString("language", "C#");
        json.WriteString("name", ".net-csharp");
        json.WriteEndObject();
        json.WriteStartObject("language_info");
        json.WriteString("file_extension", ".cs");
        json.WriteString("mimetype", "text/x-csharp");
        json.WriteString("name", "C#");
        json.WriteString("pygments_lexer", "csharp");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteNumber("nbformat", 4);
        json.WriteNumber("nbformat_minor", 5);
        json.WriteEndObject();
    }
    return Encoding.UTF8.GetString(buffer.ToArray()).Replace("\r\n", "\n") + "\n";
}
