namespace Dendrite.Tests.Data;

/// <summary>Paths of test inputs and scratch directories.</summary>
internal static class TestData
{
    /// <summary>data/mnist-sample of this repository, found by walking up from the test binaries.</summary>
    public static string MnistSample { get; } = FindUp(Path.Combine("data", "mnist-sample"));

    /// <summary>data/wine/wine.csv: UCI wine with raw features and class names in the column "class".</summary>
    public static string Wine { get; } = Path.Combine(FindUp(Path.Combine("data", "wine")), "wine.csv");

    /// <summary>The committed fixtures of the data tests (tests/Dendrite.Tests/Data/Fixtures).</summary>
    public static string Fixtures { get; } = FindUp(Path.Combine("tests", "Dendrite.Tests", "Data", "Fixtures"));

    private static string FindUp(string relative)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (Directory.Exists(candidate)) return candidate;
        }
        throw new DirectoryNotFoundException($"{relative} not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A fresh temporary directory, deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "dendrite-test-" + Guid.NewGuid().ToString("N"));

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
