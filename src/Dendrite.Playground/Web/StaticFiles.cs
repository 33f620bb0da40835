using System.Reflection;
using Microsoft.AspNetCore.Http;

namespace Dendrite.Playground.Web;

/// <summary>
/// The page's files, compiled into the assembly (wwwroot/**). A request can only name one of them: the set is
/// fixed when the server starts, so no request reads the disk.
/// </summary>
internal static class StaticFiles
{
    private const string Prefix = "wwwroot/";

    private static readonly Dictionary<string, byte[]> Files = Load();

    private static Dictionary<string, byte[]> Load()
    {
        var assembly = typeof(StaticFiles).Assembly;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            files[name[Prefix.Length..]] = copy.ToArray();
        }
        return files;
    }

    public static IReadOnlyCollection<string> Names => Files.Keys;

    public static IResult Serve(string path)
    {
        if (!Files.TryGetValue(path, out var bytes)) return Json.Error(StatusCodes.Status404NotFound, $"no file '{path}'");
        string type = Path.GetExtension(path) switch
        {
            ".html" => "text/html; charset=utf-8",
            ".js" => "text/javascript; charset=utf-8",
            ".css" => "text/css; charset=utf-8",
            ".svg" => "image/svg+xml",
            ".png" => "image/png",
            _ => "text/plain; charset=utf-8",
        };
        return Results.Bytes(bytes, type);
    }
}
