using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Dendrite.Tests.Examples;
using Xunit.Abstractions;

namespace Dendrite.Tests.Course;

/// <summary>
/// The notebooks under <c>docs/course/notebooks</c>: generated from the course programs and up to date with them,
/// and each one runs from top to bottom under <c>jupyter nbconvert --execute</c> with the .NET Interactive C# kernel
/// (tools/test.sh installs Jupyter from Debian and the kernel, the <c>Microsoft.dotnet-interactive</c> tool, into
/// <c>.tools/</c>; without them the execution is noted and not run, like the other tests of outside tools).
/// </summary>
[Collection(DotnetRunCollection.Name)]
public class NotebookTests(ITestOutputHelper output)
{
    private const string NotebookFolder = "docs/course/notebooks";

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.GetFiles(Path.Combine(DotnetRun.RepositoryRoot(), NotebookFolder), "*.ipynb").Order(StringComparer.Ordinal))
            data.Add(Path.GetFileNameWithoutExtension(file));
        return data;
    }

    [Fact]
    public void NotebooksAreUpToDateWithThePrograms()
    {
        var stdout = DotnetRun.Program("tools/course-notebooks.cs", args: "--check");
        Assert.Contains("up to date", stdout);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void NotebookRunsUnderJupyter(string name)
    {
        var root = DotnetRun.RepositoryRoot();
        var kernel = FindKernel(root);
        if (kernel is null || !CanRun("jupyter", "nbconvert", "--version"))
        {
            output.WriteLine("jupyter nbconvert or the dotnet-interactive tool is missing (tools/test.sh installs both): notebook not executed");
            return;
        }
        // The notebook loads the Release build of the library (its first cell), so make sure it is there.
        var (built, buildLog) = Run("dotnet", root, null, "build", "-c", "Release", "src/Dendrite/Dendrite.csproj", "-v", "quiet", "-nologo");
        Assert.True(built == 0, buildLog);

        var temp = Directory.CreateTempSubdirectory("dendrite-notebook-");
        try
        {
            // A kernel spec of our own that names the tool by its path, so nothing is registered in the user's Jupyter.
            var spec = Directory.CreateDirectory(Path.Combine(temp.FullName, "kernels", ".net-csharp"));
            File.WriteAllText(Path.Combine(spec.FullName, "kernel.json"), JsonSerializer.Serialize(new
            {
                argv = new[] { kernel, "jupyter", "--default-kernel", "csharp", "{connection_file}", "--http-port-range", "2048-3000" },
                display_name = ".NET (C#)",
                language = "C#",
            }));
            var notebook = Path.Combine(root, NotebookFolder, name + ".ipynb");
            var (code, log) = Run("jupyter", root, temp.FullName,
                "nbconvert", "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=600",
                "--output-dir", temp.FullName, "--output", name, notebook);
            Assert.True(code == 0, $"jupyter nbconvert --execute {name}.ipynb exited with {code}:\n{log}");

            using var executed = JsonDocument.Parse(File.ReadAllText(Path.Combine(temp.FullName, name + ".ipynb")));
            var printed = new StringBuilder();
            string lastCellPrinted = "";
            foreach (var cell in executed.RootElement.GetProperty("cells").EnumerateArray())
            {
                if (cell.GetProperty("cell_type").GetString() != "code") continue;
                var cellPrinted = new StringBuilder();
                foreach (var o in cell.GetProperty("outputs").EnumerateArray())
                {
                    var type = o.GetProperty("output_type").GetString();
                    Assert.False(type == "error", $"{name}.ipynb: a cell failed: {o}");
                    if (type == "stream" && o.GetProperty("name").GetString() == "stdout")
                        foreach (var line in o.GetProperty("text").EnumerateArray()) cellPrinted.Append(line.GetString());
                }
                printed.Append(cellPrinted);
                lastCellPrinted = cellPrinted.ToString();
            }
            output.WriteLine(printed.ToString());
            // nbconvert stops at the first failing cell; every course program ends by printing (its last numbers or
            // where its figures went), so output from the last cell means the whole notebook ran.
            Assert.False(string.IsNullOrWhiteSpace(lastCellPrinted), $"{name}.ipynb: its last cell printed nothing:\n{printed}");
        }
        finally
        {
            temp.Delete(recursive: true);
        }
    }

    /// <summary>The dotnet-interactive tool: in the repository's .tools/ (where tools/test.sh puts it) or on PATH.</summary>
    private static string? FindKernel(string root)
    {
        var local = Path.Combine(root, ".tools", "dotnet-interactive");
        if (File.Exists(local)) return local;
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
        {
            var candidate = Path.Combine(dir, "dotnet-interactive");
            if (dir.Length > 0 && File.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static bool CanRun(string file, params string[] args)
    {
        try
        {
            return Run(file, Environment.CurrentDirectory, null, args).Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static (int Code, string Log) Run(string file, string directory, string? jupyterPath, params string[] args)
    {
        var start = new ProcessStartInfo(file, args)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (jupyterPath is not null) start.Environment["JUPYTER_PATH"] = jupyterPath;
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, $"{file} did not finish in 10 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
