using System.Diagnostics;
using System.IO.Compression;
using System.Reflection.Metadata;
using System.Xml.Linq;
using Dendrite.Tests.Data;
using Dendrite.Tests.Examples;

namespace Dendrite.Tests.Packaging;

/// <summary>
/// The library as a .NET user gets it: <c>dotnet pack</c> of src/Dendrite (as the README's release steps do)
/// into a local feed, then tests/PackageConsumer, a program that references the package and not the project,
/// restored from that feed alone and run. The version carries a suffix unique to the run, and the consumer
/// restores into a private packages folder, so neither an earlier run's package in ~/.nuget/packages nor one
/// on a public feed can stand in for the one just packed. Building into a private artifacts folder keeps the
/// pack clear of the bin/ and obj/ folders that the test run and the example tests build into at the same time.
/// </summary>
public sealed class PackageTests(PackedLibrary packed) : IClassFixture<PackedLibrary>
{
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Fact]
    public void PackageCarriesReadmeLicenceRepositoryAndDocumentation()
    {
        using var nupkg = ZipFile.OpenRead(packed.Package);
        var metadata = Nuspec(nupkg);
        string Value(string name) => metadata.Element(metadata.Name.Namespace + name)?.Value ?? "";

        Assert.Equal("Dendrite", Value("id"));
        Assert.Equal(packed.Version, Value("version"));
        var license = metadata.Element(metadata.Name.Namespace + "license");
        Assert.Equal(("expression", "MIT"), ((string?)license?.Attribute("type"), license?.Value));
        Assert.Equal("PACKAGE.md", Value("readme"));
        Assert.Contains("dotnet add package Dendrite", Read(nupkg, "PACKAGE.md"));
        Assert.StartsWith("https://", Value("projectUrl"));
        Assert.StartsWith("https://", (string?)metadata.Element(metadata.Name.Namespace + "repository")?.Attribute("url"));
        Assert.NotNull(nupkg.GetEntry("lib/net10.0/Dendrite.dll"));
        // The doc comments ship beside the assembly, so an IDE shows them.
        Assert.Contains("<member name=\"T:Dendrite.Tensors.Tensor\">", Read(nupkg, "lib/net10.0/Dendrite.xml"));
    }

    [Fact]
    public void SymbolsPackageHoldsAPortablePdbWithEverySourceEmbedded()
    {
        using var snupkg = ZipFile.OpenRead(Path.ChangeExtension(packed.Package, ".snupkg"));
        var pdb = new MemoryStream();
        using (var entry = snupkg.GetEntry("lib/net10.0/Dendrite.pdb")?.Open() ?? throw new InvalidOperationException("no lib/net10.0/Dendrite.pdb in the .snupkg"))
            entry.CopyTo(pdb);
        pdb.Position = 0;
        using var provider = MetadataReaderProvider.FromPortablePdbStream(pdb);
        var reader = provider.GetMetadataReader();
        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToList();
        Assert.Contains(documents, d => d.Replace('\\', '/').EndsWith("Tensors/Tensor.cs", StringComparison.Ordinal));
        var withoutSource = reader.Documents
            .Where(d => !reader.GetCustomDebugInformation(d).Any(c => reader.GetGuid(reader.GetCustomDebugInformation(c).Kind) == EmbeddedSource))
            .Select(d => reader.GetString(reader.GetDocument(d).Name))
            .ToList();
        Assert.True(withoutSource.Count == 0, "sources not embedded in the PDB: " + string.Join(", ", withoutSource.Take(5)));
    }

    [Fact]
    public void ConsumerRestoresThePackageFromTheLocalFeedAndLearnsXor()
    {
        string consumer = Path.Combine(packed.Folder, "consumer");
        Directory.CreateDirectory(consumer);
        foreach (var file in Directory.GetFiles(Path.Combine(PackedLibrary.Root, "tests", "PackageConsumer")))
            File.Copy(file, Path.Combine(consumer, Path.GetFileName(file)));
        string packages = Path.Combine(packed.Folder, "packages");
        // The local feed first; package source mapping lets NuGet take Dendrite from nowhere else. nuget.org is
        // there for whatever else the SDK might want (nothing, for this project), so the restore works offline.
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{packages}" />
              </config>
              <packageSources>
                <clear />
                <add key="local" value="{packed.Feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="local"><package pattern="Dendrite" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
              <fallbackPackageFolders><clear /></fallbackPackageFolders>
            </configuration>
            """);

        var (code, output) = PackedLibrary.Dotnet(consumer, "run", $"-p:DendriteVersion={packed.Version}", "-nodeReuse:false");

        Assert.True(code == 0, $"the consumer exited with {code}:\n{output}");
        Assert.True(Directory.Exists(Path.Combine(packages, "dendrite", packed.Version.ToLowerInvariant())), $"Dendrite {packed.Version} was not restored into {packages}");
        // The library reports the version it was built as: the package just packed, not a project reference.
        Assert.Contains($"dendrite {packed.Version}", output);
        Assert.Contains("xor: 4/4 correct", output);
    }

    private static XElement Nuspec(ZipArchive package)
    {
        var entry = package.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal) && !e.FullName.Contains('/'));
        using var stream = entry.Open();
        var root = XDocument.Load(stream).Root!;
        return root.Element(root.Name.Namespace + "metadata")!;
    }

    private static string Read(ZipArchive package, string path)
    {
        using var reader = new StreamReader(package.GetEntry(path)?.Open() ?? throw new InvalidOperationException($"no {path} in the package"));
        return reader.ReadToEnd();
    }
}

/// <summary>src/Dendrite packed once for <see cref="PackageTests"/>, in a temporary folder removed afterwards.</summary>
public sealed class PackedLibrary : IDisposable
{
    private readonly TempDir dir = new();

    public PackedLibrary()
    {
        Feed = Path.Combine(Folder, "feed");
        // A pre-release suffix no other run uses: "packagetest" keeps it from being a numeric SemVer identifier.
        string suffix = "packagetest" + Guid.NewGuid().ToString("N");
        var (code, output) = Dotnet(Root, "pack", Path.Combine("src", "Dendrite"), "-c", "Release", "-o", Feed,
            "--artifacts-path", Path.Combine(Folder, "artifacts"), $"-p:VersionSuffix={suffix}", "-nodeReuse:false");
        if (code != 0) throw new InvalidOperationException($"dotnet pack src/Dendrite exited with {code}:\n{output}");
        Package = Directory.GetFiles(Feed, "Dendrite.*.nupkg").Single();
        string name = Path.GetFileNameWithoutExtension(Package);
        Version = name["Dendrite.".Length..];
        if (!Version.EndsWith("-" + suffix, StringComparison.Ordinal))
            throw new InvalidOperationException($"dotnet pack wrote {name}, not a version ending in -{suffix}");
    }

    public static string Root { get; } = DotnetRun.RepositoryRoot();

    /// <summary>The temporary folder holding the feed, the build and the consumer.</summary>
    public string Folder => dir.Path;

    /// <summary>The local feed: the .nupkg and .snupkg just packed.</summary>
    public string Feed { get; }

    /// <summary>The path of the .nupkg.</summary>
    public string Package { get; }

    /// <summary>The package version, e.g. 0.9.0-packagetest0123abcd...</summary>
    public string Version { get; }

    /// <summary>Runs the dotnet CLI in <paramref name="directory"/>; returns its exit code and its output.</summary>
    internal static (int Code, string Output) Dotnet(string directory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', arguments)} did not finish in 5 minutes");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }

    public void Dispose() => dir.Dispose();
}
