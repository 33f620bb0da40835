using System.Globalization;

namespace Dendrite.Runtime;

/// <summary>
/// The most memory that anything read from a file or a spec may ask Dendrite to allocate: every reader
/// (safetensors, checkpoint, model spec, IDX, PNG, CSV) checks the sizes a file declares against it before
/// allocating, so a small hostile file is refused in milliseconds instead of starting a multi-gigabyte
/// allocation. One number of bytes, <see cref="Bytes"/> (default <see cref="DefaultBytes"/>, 1 GiB, or the
/// <c>DENDRITE_MAX_MEMORY</c> environment variable; <c>dendrite --max-memory SIZE</c> raises it per run);
/// the limits of each kind are derived from it: <see cref="Parameters"/>, <see cref="ActivationsPerSample"/>,
/// <see cref="ImagePixels"/>, <see cref="DecompressedBytes"/>, <see cref="Cells"/>.
/// </summary>
/// <remarks>
/// The budget is not a cap on the process: data sets and training still take what real data needs. It
/// bounds what a declared size (a header, a spec, a dimension) may make the library allocate before the
/// data behind it has been seen. <see cref="Current"/> is per asynchronous flow, so one caller (a CLI run,
/// a test) can raise it with <see cref="Use"/> without changing it for others.
/// </remarks>
public sealed class MemoryBudget
{
    /// <summary>The budget when neither <c>DENDRITE_MAX_MEMORY</c> nor <c>--max-memory</c> sets one: 1 GiB.</summary>
    public const long DefaultBytes = 1L << 30;

    /// <summary>The environment variable that sets the default budget (a size such as <c>4G</c>).</summary>
    public const string EnvironmentVariable = "DENDRITE_MAX_MEMORY";

    private static readonly AsyncLocal<MemoryBudget?> Scoped = new();
    private static readonly Lazy<MemoryBudget> FromEnvironment = new(ReadEnvironment);

    /// <summary>A budget of <paramref name="bytes"/> bytes (at least 1 MiB).</summary>
    public MemoryBudget(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bytes, 1L << 20);
        Bytes = bytes;
    }

    /// <summary>The budget in bytes.</summary>
    public long Bytes { get; }

    /// <summary>Float32 parameters a spec may build (4 bytes each): 268 million by default.</summary>
    public long Parameters => Bytes / sizeof(float);

    /// <summary>
    /// Float32 values one sample's forward pass may produce, summed over the layers: the budget over 4 bytes
    /// and over 64 (a batch of 32 keeps each output and its gradient), 4.2 million by default.
    /// </summary>
    public long ActivationsPerSample => Bytes / sizeof(float) / 64;

    /// <summary>Pixels one decoded image may have (up to 8 bytes a pixel: 16-bit RGBA): 134 million by default.</summary>
    public long ImagePixels => Bytes / 8;

    /// <summary>Bytes a compressed stream (gzip IDX, PNG image data) may inflate to: the budget itself.</summary>
    public long DecompressedBytes => Bytes;

    /// <summary>
    /// Cells (rows × columns) a CSV file may have once read: each is a string, its slot and later a float,
    /// about 32 bytes; 33.5 million by default.
    /// </summary>
    public long Cells => Bytes / 32;

    /// <summary>The budget of the current flow: the innermost <see cref="Use"/>, else the process default.</summary>
    public static MemoryBudget Current => Scoped.Value ?? FromEnvironment.Value;

    /// <summary>The default budget: <c>DENDRITE_MAX_MEMORY</c> when set and valid, else <see cref="DefaultBytes"/>.</summary>
    public static MemoryBudget Default => FromEnvironment.Value;

    /// <summary>Makes <paramref name="budget"/> <see cref="Current"/> for this flow until the result is disposed.</summary>
    public static IDisposable Use(MemoryBudget budget)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var previous = Scoped.Value;
        Scoped.Value = budget;
        return new Restore(previous);
    }

    /// <summary>
    /// Parses a size: a whole number of bytes, or a number with a unit K, M, G or T (powers of 1024; an
    /// optional B or iB follows), e.g. <c>512M</c>, <c>4G</c>, <c>1.5GiB</c>. Throws <see cref="FormatException"/>.
    /// </summary>
    public static long ParseSize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string s = text.Trim().ToUpperInvariant();
        if (s.EndsWith("IB", StringComparison.Ordinal)) s = s[..^2];
        else if (s.EndsWith('B')) s = s[..^1];
        long unit = s.Length == 0 ? 1 : s[^1] switch { 'K' => 1L << 10, 'M' => 1L << 20, 'G' => 1L << 30, 'T' => 1L << 40, _ => 1 };
        if (unit > 1) s = s[..^1].TrimEnd();
        if (!double.TryParse(s, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value * unit > long.MaxValue / 2)
            throw new FormatException($"'{text}' is not a memory size (use bytes or a number with K, M, G or T, e.g. 4G)");
        return (long)(value * unit);
    }

    /// <summary>A size for messages: 1.5 GiB, 300 MiB, 12 KiB, 100 bytes.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
        if (bytes < 1024) return string.Create(CultureInfo.InvariantCulture, $"{bytes} bytes");
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.Length - 1)
        {
            value /= 1024;
            unit++;
        }
        return string.Create(CultureInfo.InvariantCulture, $"{value:0.#} {units[unit]}");
    }

    /// <summary>
    /// Throws <see cref="MemoryBudgetException"/> when <paramref name="bytes"/> exceeds the budget:
    /// "<paramref name="source"/>: <paramref name="field"/> needs 4.8 GiB, over the 1 GiB memory budget (...)".
    /// </summary>
    public void Require(string source, string field, long bytes)
    {
        if (bytes <= Bytes) return;
        throw new MemoryBudgetException(source, field, bytes, this);
    }

    /// <summary><paramref name="count"/> × <paramref name="size"/> bytes, saturated at <see cref="long.MaxValue"/> (a size past the budget anyway).</summary>
    public static long Times(long count, long size) =>
        count <= 0 || size <= 0 ? 0 : count > long.MaxValue / size ? long.MaxValue : count * size;

    private static MemoryBudget ReadEnvironment()
    {
        string? text = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (string.IsNullOrWhiteSpace(text)) return new MemoryBudget(DefaultBytes);
        try
        {
            long bytes = ParseSize(text);
            return new MemoryBudget(Math.Max(bytes, 1L << 20));
        }
        catch (FormatException)
        {
            // A library cannot report a bad environment variable anywhere sensible; the default stands,
            // and the CLI checks the variable itself (see the --max-memory option).
            return new MemoryBudget(DefaultBytes);
        }
    }

    private sealed class Restore(MemoryBudget? previous) : IDisposable
    {
        public void Dispose() => Scoped.Value = previous;
    }
}

/// <summary>A file or spec asks for more memory than the <see cref="MemoryBudget"/> allows; the message names the source, the field and the size.</summary>
public sealed class MemoryBudgetException : IOException
{
    internal MemoryBudgetException(string source, string field, long bytes, MemoryBudget budget)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"{source}: {field} needs {(bytes == long.MaxValue ? "more than 8 EiB" : MemoryBudget.Format(bytes))}, over the {MemoryBudget.Format(budget.Bytes)} memory budget (raise it with --max-memory or {MemoryBudget.EnvironmentVariable} if this is intended)"))
    {
        Origin = source;
        Field = field;
        Bytes = bytes;
    }

    /// <summary>The file (or spec) that declared the size.</summary>
    public string Origin { get; }

    /// <summary>What declared it: "tensor '0.weight'", "dimensions [2000000, 28, 28]", ....</summary>
    public string Field { get; }

    /// <summary>The bytes it would take (<see cref="long.MaxValue"/> when beyond counting).</summary>
    public long Bytes { get; }
}
