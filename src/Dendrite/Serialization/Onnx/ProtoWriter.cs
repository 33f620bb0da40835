using System.Buffers.Binary;
using System.Text;

namespace Dendrite.Serialization.Onnx;

/// <summary>
/// A minimal Protocol Buffers writer — just what ONNX export needs, so the library keeps no dependency:
/// varints, 64-bit ints, fixed32 floats, length-delimited strings/bytes/messages, packed repeated
/// floats and int64s. Fields are written in call order; a nested message is built in its own writer and
/// copied in with its length, since the length prefix must precede the bytes.
/// </summary>
internal sealed class ProtoWriter
{
    private const int Varint = 0, Fixed32 = 5, LengthDelimited = 2;

    private readonly MemoryStream buffer = new();

    /// <summary>The bytes written so far.</summary>
    public byte[] ToArray() => buffer.ToArray();

    public int Length => (int)buffer.Length;

    private void Tag(int field, int wireType) => WriteVarint(((ulong)field << 3) | (uint)wireType);

    /// <summary>Base-128 varint, least significant group first; the high bit marks "more follows".</summary>
    public void WriteVarint(ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }

    /// <summary>An int64/int32/enum field. Negative values take ten bytes (two's complement), as protobuf requires for int64.</summary>
    public ProtoWriter Int64(int field, long value)
    {
        Tag(field, Varint);
        WriteVarint((ulong)value);
        return this;
    }

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, Fixed32);
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        buffer.Write(bytes);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        Tag(field, LengthDelimited);
        WriteVarint((ulong)value.Length);
        buffer.Write(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    /// <summary>An embedded message whose fields <paramref name="write"/> fills in.</summary>
    public ProtoWriter Message(int field, Action<ProtoWriter> write)
    {
        var inner = new ProtoWriter();
        write(inner);
        Tag(field, LengthDelimited);
        WriteVarint((ulong)inner.Length);
        inner.buffer.WriteTo(buffer);
        return this;
    }

    /// <summary>A packed repeated float field: one length-delimited run of little-endian fixed32 values.</summary>
    public ProtoWriter PackedFloats(int field, ReadOnlySpan<float> values)
    {
        byte[] bytes = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        return Bytes(field, bytes);
    }

    /// <summary>A packed repeated int64 field: one length-delimited run of varints.</summary>
    public ProtoWriter PackedInt64s(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (var v in values) inner.WriteVarint((ulong)v);
        return Bytes(field, inner.ToArray());
    }
}
