namespace Dendrite.Playground.Tests;

/// <summary>Paths in the repository the tests run from (found by walking up to Dendrite.slnx).</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Dendrite.slnx"))) return dir.FullName;
        throw new InvalidOperationException("the tests must run inside the Dendrite repository (no Dendrite.slnx above " + AppContext.BaseDirectory + ")");
    }
}
