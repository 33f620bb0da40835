namespace Dendrite.Serialization;

/// <summary>
/// Writes a file so that a crash or an error never leaves a half-written file under the user's name:
/// the bytes go to <c>path.tmp</c> in the same directory (same file system, so the rename is atomic),
/// are flushed to the disk, and only then replace <c>path</c>.
/// </summary>
internal static class AtomicFile
{
    /// <summary>Test hook, per async flow: runs after the temporary file is complete, before it replaces the target.</summary>
    internal static readonly AsyncLocal<Action?> BeforeCommit = new();

    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            BeforeCommit.Value?.Invoke();
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            if (File.Exists(file)) File.Delete(file);
        }
        catch (IOException)
        {
            // The original error matters more than a stray temporary file.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
