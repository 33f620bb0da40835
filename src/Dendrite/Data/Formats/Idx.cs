using System.Buffers.Binary;
using System.IO.Compression;

namespace Dendrite.Data.Formats;

/// <summary>The element types of the IDX format (the third byte of the magic number).</summary>
public enum IdxType : byte
{
    /// <summary>0x08: unsigned 8-bit integer.</summary>
    UnsignedByte = 0x08,
    /// <summary>0x09: signed 8-bit integer.</summary>
    SignedByte = 0x09,
    /// <summary>0x0B: big-endian signed 16-bit integer.</summary>
    Short = 0x0B,
    /// <summary>0x0C: big-endian signed 32-bit integer.</summary>
    Int = 0x0C,
    /// <summary>0x0D: big-endian IEEE 754 single.</summary>
    Float = 0x0D,
    /// <summary>0x0E: big-endian IEEE 754 double.</summary>
    Double = 0x0E,
}

/// <summary>
/// One IDX array: its element type, its dimensions and its payload exactly as stored (big-endian
/// elements, row-major). <see cref="ToFloatArray"/> converts the payload to floats.
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(IdxType type, int[] dimensions, byte[] payload)
    {
        Type = type;
        Dimensions = dimensions;
        Payload = payload;
    }

    /// <summary>The element type.</summary>
    public IdxType Type { get; }

    /// <summary>The dimension sizes, outermost first (MNIST images: [N, 28, 28]).</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The raw payload: Numel × <see cref="Idx.ElementSize"/> bytes, big-endian elements.</summary>
    public byte[] Payload { get; }

    /// <summary>The number of elements (the product of <see cref="Dimensions"/>).</summary>
    public long Numel => Payload.LongLength / Idx.ElementSize(Type);

    /// <summary>The elements converted to float (values of 64-bit doubles are rounded to float).</summary>
    public float[] ToFloatArray()
    {
        var p = Payload;
        var result = new float[Numel];
        switch (Type)
        {
            case IdxType.UnsignedByte: for (int i = 0; i < result.Length; i++) result[i] = p[i]; break;
            case IdxType.SignedByte: for (int i = 0; i < result.Length; i++) result[i] = (sbyte)p[i]; break;
            case IdxType.Short: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt16BigEndian(p.AsSpan(2 * i)); break;
            case IdxType.Int: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadInt32BigEndian(p.AsSpan(4 * i)); break;
            case IdxType.Float: for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleBigEndian(p.AsSpan(4 * i)); break;
            case IdxType.Double: for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleBigEndian(p.AsSpan(8 * i)); break;
        }
        return result;
    }
}

/// <summary>
/// Reader for the IDX format of the MNIST database (yann.lecun.com/exdb/mnist): a magic number
/// 0x00 0x00 type ndims, ndims big-endian 32-bit dimension sizes, then the elements row-major. Files may be
/// gzip-compressed (recognised by the magic bytes 1f 8b, not by the file name).
/// </summary>
/// <remarks>
/// The header is never trusted for allocation: a plain file's declared payload must fit in the bytes the file
/// has left, a gzip'd one's (and its float32 copy) in <see cref="Runtime.MemoryBudget.Current"/>, and the payload
/// buffer grows with the bytes actually read, so a header claiming billions of elements fails in
/// milliseconds ("truncated", or over the budget) instead of allocating.
/// Every error is an <see cref="InvalidDataException"/> naming the file and what is wrong.
/// </remarks>
public static class Idx
{
    /// <summary>Bytes per element of <paramref name="type"/>.</summary>
    public static int ElementSize(IdxType type) => type switch
    {
        IdxType.UnsignedByte or IdxType.SignedByte => 1,
        IdxType.Short => 2,
        IdxType.Int or IdxType.Float => 4,
        IdxType.Double => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), $"IDX: unknown element type 0x{(byte)type:X2}"),
    };

    /// <summary>Reads the IDX file at <paramref name="path"/> (plain or gzip).</summary>
    public static IdxArray Read(string path) => Read(path, "IDX", "items");

    /// <summary>Reads an IDX array from <paramref name="stream"/> (plain or gzip); <paramref name="name"/> names it in errors.</summary>
    public static IdxArray Read(Stream stream, string name) => Read(stream, name, "IDX", "items");

    /// <summary>Writes <paramref name="payload"/> as an IDX file (used to make test files and to export data).</summary>
    public static void Write(Stream stream, IdxType type, ReadOnlySpan<int> dimensions, ReadOnlySpan<byte> payload)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (dimensions.Length is < 1 or > 255)
            throw new ArgumentException($"IDX: need 1 to 255 dimensions, got {dimensions.Length}", nameof(dimensions));
        long numel = 1;
        foreach (int d in dimensions)
        {
            if (d < 0) throw new ArgumentException($"IDX: negative dimension {d}", nameof(dimensions));
            numel *= d;
        }
        if (numel * ElementSize(type) != payload.Length)
            throw new ArgumentException(
                $"IDX: payload has {payload.Length} bytes, dimensions [{string.Join(",", dimensions.ToArray())}] of {type} need {numel * ElementSize(type)}",
                nameof(payload));
        Span<byte> header = stackalloc byte[4];
        header[0] = 0; header[1] = 0; header[2] = (byte)type; header[3] = (byte)dimensions.Length;
        stream.Write(header);
        foreach (int d in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(header, d);
            stream.Write(header);
        }
        stream.Write(payload);
    }

    /// <summary>Reads <paramref name="path"/>; errors start with "<paramref name="prefix"/>: path:" and count items as <paramref name="itemNoun"/>.</summary>
    internal static IdxArray Read(string path, string prefix, string itemNoun, Func<IdxType, int[], string?>? checkHeader = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
            throw new FileNotFoundException($"{prefix}: {path}: file not found", path);
        using var file = File.OpenRead(path);
        return Read(file, path, prefix, itemNoun, checkHeader);
    }

    /// <summary>
    /// Reads an IDX array; <paramref name="checkHeader"/> sees the type and dimensions before any payload is
    /// read and returns an error text (or null) so a caller's format rules fail before length checks do.
    /// </summary>
    internal static IdxArray Read(Stream stream, string name, string prefix, string itemNoun, Func<IdxType, int[], string?>? checkHeader = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        InvalidDataException Error(string what) => new($"{prefix}: {name}: {what}");

        Span<byte> head = stackalloc byte[4];
        int got = ReadFully(stream, head);
        Stream source = stream;
        GZipStream? gzip = null;
        try
        {
            if (got >= 2 && head[0] == 0x1f && head[1] == 0x8b)
            {
                // The two bytes already consumed are put back in front of the stream for the decompressor.
                var rest = new PrefixedStream(head[..got].ToArray(), stream);
                gzip = new GZipStream(rest, CompressionMode.Decompress);
                source = gzip;
                got = ReadFully(source, head);
            }
            if (got < 4)
                throw Error($"truncated: {got} bytes, too short for the 4-byte IDX magic number");
            if (head[0] != 0 || head[1] != 0)
                throw Error($"not an IDX file: magic number {Hex(head)} does not start with 00 00");
            var type = (IdxType)head[2];
            if (!Enum.IsDefined(type))
                throw Error($"unknown IDX element type 0x{head[2]:X2} in magic number {Hex(head)}");
            int ndims = head[3];
            if (ndims == 0)
                throw Error($"magic number {Hex(head)} declares 0 dimensions");

            var dims = new int[ndims];
            Span<byte> word = stackalloc byte[4];
            long numel = 1;
            for (int i = 0; i < ndims; i++)
            {
                int n = ReadFully(source, word);
                if (n < 4)
                    throw Error($"truncated: header declares {ndims} dimensions, the file ends in dimension {i}");
                uint d = BinaryPrimitives.ReadUInt32BigEndian(word);
                if (d > int.MaxValue)
                    throw Error($"dimension {i} is {d}, larger than the supported maximum {int.MaxValue}");
                dims[i] = (int)d;
                // Saturates above the array limit (each factor is < 2^31, so the product cannot overflow).
                numel = numel > Array.MaxLength ? numel : numel * d;
            }
            if (Array.IndexOf(dims, 0) >= 0) numel = 0;
            if (checkHeader?.Invoke(type, dims) is string problem)
                throw Error(problem);
            int size = ElementSize(type);
            // numel stops growing past the array limit but may be near 2^62 by then; times 8 that overflows a long.
            bool saturated = numel > Array.MaxLength;
            long bytes = saturated ? long.MaxValue : numel * size;
            if (bytes > Array.MaxLength)
                throw Error($"header declares dimensions [{string.Join(",", dims)}] of {type}, "
                    + (saturated ? $"more than {Array.MaxLength} elements" : $"{bytes} bytes") + ", more than one array can hold");

            // The declared size is checked before any payload is read: against the bytes the file has left
            // when it is plain (the elements must be in it), and against the memory budget (the payload and
            // its float32 copy) when it is gzip'd, whose inflated length is only known by inflating it.
            if (gzip is null && stream.CanSeek && bytes > stream.Length - stream.Position)
                throw Truncated(stream.Length - stream.Position);
            Runtime.MemoryBudget.Current.Require($"{prefix}: {name}",
                $"header dimensions [{string.Join(",", dims)}] of {type} ({bytes} bytes{(gzip is null ? "" : " once decompressed")}, {numel} values as float32)",
                bytes + Runtime.MemoryBudget.Times(numel, sizeof(float)));
            var payload = ReadPayload(source, (int)bytes, out int read);
            if (read < bytes) throw Truncated(read);
            if (source.ReadByte() >= 0)
                throw Error($"longer than the header says: data continues after the {dims[0]} {itemNoun} (dimensions [{string.Join(",", dims)}])");
            return new IdxArray(type, dims, payload);

            // Counts the whole items the file holds (and the bytes of a partial one) in the header's terms.
            InvalidDataException Truncated(long read)
            {
                long itemBytes = dims.Length == 1 ? size : bytes / Math.Max(dims[0], 1);
                long whole = itemBytes == 0 ? 0 : read / itemBytes;
                long partial = itemBytes == 0 ? 0 : read % itemBytes;
                return Error($"truncated: header says {dims[0]} {itemNoun}, file holds {whole}"
                    + (partial > 0 ? $" and {partial} of the {itemBytes} bytes of the next" : ""));
            }
        }
        catch (InvalidDataException e) when (!e.Message.StartsWith(prefix + ": ", StringComparison.Ordinal))
        {
            // Corrupt gzip streams throw from inside GZipStream without the file's name.
            throw Error($"corrupt gzip data: {e.Message}");
        }
        finally
        {
            gzip?.Dispose();
        }
    }

    /// <summary>Reads up to <paramref name="expected"/> bytes into a buffer that grows with the data actually present.</summary>
    private static byte[] ReadPayload(Stream source, int expected, out int read)
    {
        const int FirstChunk = 1 << 20;
        var buffer = new byte[Math.Min(expected, FirstChunk)];
        read = 0;
        while (read < expected)
        {
            if (read == buffer.Length)
                Array.Resize(ref buffer, (int)Math.Min((long)buffer.Length * 2, expected));
            int n = source.Read(buffer, read, buffer.Length - read);
            if (n == 0) break;
            read += n;
        }
        return buffer;
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    private static string Hex(ReadOnlySpan<byte> b) => Convert.ToHexString(b).ToLowerInvariant();

    /// <summary>A read-only stream that yields <c>prefix</c> and then the rest of <c>inner</c>.</summary>
    private sealed class PrefixedStream(byte[] prefix, Stream inner) : Stream
    {
        private int position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (position < prefix.Length)
            {
                int n = Math.Min(buffer.Length, prefix.Length - position);
                prefix.AsSpan(position, n).CopyTo(buffer);
                position += n;
                return n;
            }
            return inner.Read(buffer);
        }
    }
}
