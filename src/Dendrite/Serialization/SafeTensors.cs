using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Dendrite.Runtime;
using Dendrite.Tensors;

namespace Dendrite.Serialization;

/// <summary>
/// Reads and writes the safetensors format (Hugging Face's, also read by PyTorch tooling): an 8-byte
/// little-endian u64 header length N, N bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [..], "data_offsets": [begin, end]}, ..., "__metadata__": {"key": "value"}}</c>
/// padded with spaces to a multiple of 8 bytes, then the byte buffer: each tensor contiguous, row-major,
/// little-endian, at offsets relative to the buffer's start. Files hold no code, so loading one is safe.
/// </summary>
public static class SafeTensors
{
    /// <summary>Largest header accepted (as the reference implementation): a bigger one is corrupt or hostile.</summary>
    public const long MaxHeaderBytes = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>
    /// Writes <paramref name="tensors"/> as F32 (in the dictionary's order) with optional string
    /// <paramref name="metadata"/>. Atomic: the file is written to <c>path.tmp</c>, flushed to disk, then
    /// moved over <paramref name="path"/>, so an error or a crash leaves any previous file intact.
    /// </summary>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Save(path, tensors.Select(t => new Entry(t.Key, t.Value, "F32")), metadata);
    }

    /// <summary>A tensor to write and the dtype to write it as: "F32", or "I64" for whole-number counters (PyTorch's num_batches_tracked).</summary>
    internal readonly record struct Entry(string Name, Tensor Value, string DType);

    internal static void Save(string path, IEnumerable<Entry> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = tensors.ToList();
        var names = new HashSet<string>();
        foreach (var e in entries)
        {
            if (string.IsNullOrEmpty(e.Name) || e.Name == MetadataKey)
                throw new ArgumentException($"SafeTensors.Save: '{e.Name}' is not a valid tensor name ({path})");
            if (!names.Add(e.Name)) throw new ArgumentException($"SafeTensors.Save: tensor '{e.Name}' given twice ({path})");
            ArgumentNullException.ThrowIfNull(e.Value, e.Name);
            if (e.DType is not ("F32" or "I64")) throw new ArgumentException($"SafeTensors.Save: cannot write dtype {e.DType}");
        }

        byte[] header = Header(entries, metadata, out long bufferLength);
        AtomicFile.Write(path, stream =>
        {
            Span<byte> length = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(length, (ulong)header.Length);
            stream.Write(length);
            stream.Write(header);
            foreach (var e in entries) WriteData(stream, e);
            if (stream.Position != 8 + header.Length + bufferLength)
                throw new InvalidOperationException($"SafeTensors.Save: wrote {stream.Position} bytes, expected {8 + header.Length + bufferLength}");
        });
    }

    private static byte[] Header(List<Entry> entries, IReadOnlyDictionary<string, string>? metadata, out long bufferLength)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (metadata is { Count: > 0 })
            {
                writer.WriteStartObject(MetadataKey);
                foreach (var (key, value) in metadata)
                    writer.WriteString(key, value ?? throw new ArgumentException($"SafeTensors.Save: metadata '{key}' is null"));
                writer.WriteEndObject();
            }
            long offset = 0;
            foreach (var e in entries)
            {
                long end = offset + (long)e.Value.Numel * ItemSize(e.DType);
                writer.WriteStartObject(e.Name);
                writer.WriteString("dtype", e.DType);
                writer.WriteStartArray("shape");
                foreach (var d in e.Value.Shape.ToArray()) writer.WriteNumberValue(d);
                writer.WriteEndArray();
                writer.WriteStartArray("data_offsets");
                writer.WriteNumberValue(offset);
                writer.WriteNumberValue(end);
                writer.WriteEndArray();
                writer.WriteEndObject();
                offset = end;
            }
            writer.WriteEndObject();
            bufferLength = offset;
        }
        // Pad with spaces (valid JSON whitespace) so the buffer starts 8-byte aligned and can be mapped as floats.
        int padded = (int)((buffer.Length + 7) / 8 * 8);
        while (buffer.Length < padded) buffer.WriteByte((byte)' ');
        return buffer.ToArray();
    }

    private static void WriteData(Stream stream, Entry e)
    {
        float[] values = e.Value.Contiguous().ToArray();
        if (e.DType == "F32")
        {
            byte[] bytes = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
            stream.Write(bytes);
            return;
        }
        byte[] longs = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            float v = values[i];
            if (!float.IsFinite(v) || v != MathF.Round(v))
                throw new ArgumentException($"SafeTensors.Save: tensor '{e.Name}' is written as I64 but holds {v}, not a whole number");
            BinaryPrimitives.WriteInt64LittleEndian(longs.AsSpan(i * 8), (long)v);
        }
        stream.Write(longs);
    }

    /// <summary>
    /// Reads a safetensors file: every tensor as float32 (F32, F16, BF16 and F64 are converted, as are the
    /// integer dtypes I64, I32, I16, I8, U8 and BOOL, which PyTorch uses for counters and masks), and the
    /// string metadata. The file is validated before any tensor is allocated — header length within the file
    /// and at most <see cref="MaxHeaderBytes"/>, a JSON object, known dtypes, non-negative shapes whose byte
    /// size equals end − begin, offsets inside the buffer that tile it without gaps or overlaps — and each
    /// problem raises <see cref="InvalidDataException"/> naming the file and the tensor.
    /// </summary>
    public static (IReadOnlyDictionary<string, Tensor> Tensors, IReadOnlyDictionary<string, string> Metadata) Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        string file = path;
        long fileLength = stream.Length;
        if (fileLength < 8)
            throw Corrupt(file, $"{fileLength} bytes is too short for a safetensors file (it starts with an 8-byte header length)");
        Span<byte> lengthBytes = stackalloc byte[8];
        stream.ReadExactly(lengthBytes);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
        if (headerLength > MaxHeaderBytes)
            throw Corrupt(file, $"header length {headerLength} exceeds the {MaxHeaderBytes}-byte limit (corrupt or not a safetensors file)");
        if ((long)headerLength > fileLength - 8)
            throw Corrupt(file, $"header length {headerLength} runs past the end of the file ({fileLength} bytes)");
        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long bufferLength = fileLength - 8 - (long)headerLength;

        var layout = ParseHeader(file, header, bufferLength, out var metadata);
        // Every tensor's bytes are in the file (checked above), but a narrow dtype widens to float32: the
        // memory is the element count × 4, which the budget bounds before any tensor is made.
        long floats = layout.Sum(t => t.Shape.Aggregate(1L, (n, d) => n * d));
        MemoryBudget.Current.Require(file, string.Create(CultureInfo.InvariantCulture, $"{layout.Count} tensors of {floats:N0} values in all (as float32)"),
            MemoryBudget.Times(floats, sizeof(float)));
        var tensors = new Dictionary<string, Tensor>(layout.Count);
        long bufferStart = 8 + (long)headerLength;
        foreach (var t in layout)
        {
            var values = new Tensor(new Shape(t.Shape));
            int bytes = checked((int)(t.End - t.Begin));
            byte[] raw = new byte[bytes];
            stream.Position = bufferStart + t.Begin;
            stream.ReadExactly(raw);
            Decode(raw, t.DType, values.Data.AsSpan(0, values.Numel));
            tensors[t.Name] = values;
        }
        return (tensors, metadata);
    }

    private sealed record TensorLayout(string Name, string DType, int[] Shape, long Begin, long End);

    private static List<TensorLayout> ParseHeader(string file, byte[] header, long bufferLength, out Dictionary<string, string> metadata)
    {
        metadata = [];
        // JsonDocument checks the structure but decodes names and strings only when asked, where invalid UTF-8
        // would surface as an InvalidOperationException from deep inside.
        if (!System.Text.Unicode.Utf8.IsValid(header))
            throw Corrupt(file, "the header is not valid UTF-8 text");
        JsonDocument document;
        try
        {
            // Valid UTF-8 can still spell an invalid string ("\uDE22"), which System.Text.Json reports only when it
            // decodes the string: look before parsing, since the duplicate check below decodes every name.
            if (JsonStrings.FindInvalidEscape(header) is { } problem)
                throw Corrupt(file, $"the header holds {problem}");
            // A name given twice (a tensor, __metadata__ or one of its keys) would leave one of two values unread.
            document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException e)
        {
            throw Corrupt(file, $"the header is not valid JSON or names a key twice ({e.Message})");
        }
        var layout = new List<TensorLayout>();
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw Corrupt(file, $"the header must be a JSON object, got {document.RootElement.ValueKind}");
            ReadEntries(file, document.RootElement, bufferLength, metadata, layout);
        }
        CheckTiling(file, layout, bufferLength);
        return layout;
    }

    private static void ReadEntries(string file, JsonElement root, long bufferLength, Dictionary<string, string> metadata, List<TensorLayout> layout)
    {
        foreach (var property in root.EnumerateObject())
        {
            string name = property.Name;
            if (name == MetadataKey)
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                    throw Corrupt(file, "__metadata__ must be an object of strings");
                foreach (var item in property.Value.EnumerateObject())
                {
                    if (item.Value.ValueKind != JsonValueKind.String)
                        throw Corrupt(file, $"__metadata__ value '{item.Name}' must be a string, got {item.Value.ValueKind}");
                    metadata[item.Name] = item.Value.GetString()!;
                }
                continue;
            }
            layout.Add(ParseEntry(file, name, property.Value, bufferLength));
        }
    }

    private static void CheckTiling(string file, List<TensorLayout> layout, long bufferLength)
    {
        // The spec requires the tensors to tile the buffer exactly: no gap can hide data, no two tensors share bytes.
        long position = 0;
        foreach (var t in layout.OrderBy(t => t.Begin).ThenBy(t => t.End))
        {
            if (t.Begin < position) throw Corrupt(file, $"tensor '{t.Name}': bytes [{t.Begin}, {t.End}) overlap another tensor's (which ends at {position})");
            if (t.Begin > position) throw Corrupt(file, $"tensor '{t.Name}': starts at byte {t.Begin}, leaving a gap after byte {position}");
            position = t.End;
        }
        if (position != bufferLength)
            throw Corrupt(file, $"the tensors cover {position} bytes of the {bufferLength}-byte data buffer (trailing or missing data)");
    }

    private static TensorLayout ParseEntry(string file, string name, JsonElement entry, long bufferLength)
    {
        string where = $"tensor '{name}'";
        if (entry.ValueKind != JsonValueKind.Object) throw Corrupt(file, $"{where}: expected an object with dtype, shape and data_offsets");
        if (!entry.TryGetProperty("dtype", out var dtypeJson) || dtypeJson.ValueKind != JsonValueKind.String)
            throw Corrupt(file, $"{where}: missing or non-string \"dtype\"");
        string dtype = dtypeJson.GetString()!;
        int itemSize = ItemSize(dtype);
        if (itemSize == 0)
            throw Corrupt(file, $"{where}: dtype {dtype} is not supported (Dendrite reads F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL)");
        if (!entry.TryGetProperty("shape", out var shapeJson) || shapeJson.ValueKind != JsonValueKind.Array)
            throw Corrupt(file, $"{where}: missing \"shape\" list");
        var shape = new List<int>();
        long numel = 1;
        foreach (var d in shapeJson.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long size) || size < 0)
                throw Corrupt(file, $"{where}: shape sizes must be non-negative integers, got {shapeJson.GetRawText()}");
            if (size > int.MaxValue) throw Corrupt(file, $"{where}: shape {shapeJson.GetRawText()} has a size beyond 2^31");
            // Saturate rather than overflow: any count past the buffer is rejected below anyway.
            numel = size == 0 || numel == 0 ? 0 : numel > long.MaxValue / 8 / size ? long.MaxValue / 8 : numel * size;
            shape.Add((int)size);
        }
        if (!entry.TryGetProperty("data_offsets", out var offsetsJson) || offsetsJson.ValueKind != JsonValueKind.Array ||
            offsetsJson.GetArrayLength() != 2)
            throw Corrupt(file, $"{where}: \"data_offsets\" must be [begin, end]");
        var offsets = offsetsJson.EnumerateArray().Select(o =>
            o.ValueKind == JsonValueKind.Number && o.TryGetInt64(out long v) && v >= 0 ? v
                : throw Corrupt(file, $"{where}: data_offsets must be non-negative integers, got {offsetsJson.GetRawText()}")).ToArray();
        long begin = offsets[0], end = offsets[1];
        if (end < begin) throw Corrupt(file, $"{where}: data_offsets [{begin}, {end}] end before they begin");
        if (end > bufferLength)
            throw Corrupt(file, $"{where}: data_offsets [{begin}, {end}] run past the {bufferLength}-byte data buffer");
        if (numel * itemSize != end - begin)
            throw Corrupt(file, $"{where}: shape {shapeJson.GetRawText()} of {dtype} needs {numel * itemSize} bytes but data_offsets [{begin}, {end}] give {end - begin}");
        if (numel > int.MaxValue) throw Corrupt(file, $"{where}: {numel} elements is more than a Dendrite tensor holds");
        return new TensorLayout(name, dtype, [.. shape], begin, end);
    }

    private static int ItemSize(string dtype) => dtype switch
    {
        "F64" or "I64" => 8,
        "F32" or "I32" => 4,
        "F16" or "BF16" or "I16" => 2,
        "I8" or "U8" or "BOOL" => 1,
        _ => 0,
    };

    private static void Decode(ReadOnlySpan<byte> raw, string dtype, Span<float> dst)
    {
        if (dtype == "F32" && BitConverter.IsLittleEndian)
        {
            MemoryMarshal.Cast<byte, float>(raw).CopyTo(dst);
            return;
        }
        for (int i = 0; i < dst.Length; i++)
        {
            dst[i] = dtype switch
            {
                "F32" => BinaryPrimitives.ReadSingleLittleEndian(raw[(i * 4)..]),
                "F64" => (float)BinaryPrimitives.ReadDoubleLittleEndian(raw[(i * 8)..]),
                "F16" => (float)BinaryPrimitives.ReadHalfLittleEndian(raw[(i * 2)..]),
                // bfloat16 is the top half of a float32.
                "BF16" => BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(raw[(i * 2)..]) << 16),
                "I64" => BinaryPrimitives.ReadInt64LittleEndian(raw[(i * 8)..]),
                "I32" => BinaryPrimitives.ReadInt32LittleEndian(raw[(i * 4)..]),
                "I16" => BinaryPrimitives.ReadInt16LittleEndian(raw[(i * 2)..]),
                "I8" => (sbyte)raw[i],
                "U8" => raw[i],
                "BOOL" => raw[i] != 0 ? 1 : 0,
                _ => throw new InvalidOperationException(dtype),
            };
        }
    }

    private static InvalidDataException Corrupt(string file, string problem) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{file}: {problem}"));
}
