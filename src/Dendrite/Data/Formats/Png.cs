using System.Buffers.Binary;
using System.Text;

namespace Dendrite.Data.Formats;

/// <summary>
/// A PNG decoder and encoder in managed code (PNG specification, W3C 2003). Decoding supports every
/// standard form: colour types 0 (grey), 2 (RGB), 3 (palette), 4 (grey+alpha) and 6 (RGBA) at each bit
/// depth the specification allows (1, 2, 4, 8, 16), the five filters, Adam7 interlacing, PLTE and tRNS.
/// Every chunk's CRC-32 is checked; corrupt or truncated files raise <see cref="InvalidDataException"/>
/// naming the file and the problem. Ancillary chunks other than tRNS (gamma, colour profiles, text) are
/// skipped, so samples are returned as stored.
/// </summary>
/// <remarks>This file holds the file framing (signature, chunks, CRC-32); Png.Decode.cs the decoder, Png.Encode.cs the encoder.</remarks>
public static partial class Png
{
    private static ReadOnlySpan<byte> Signature => [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>The CRC-32 of PNG chunks (ISO 3309 / ITU-T V.42, reflected polynomial 0xEDB88320).</summary>
    public static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in data) c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            table[n] = c;
        }
        return table;
    }

    private static void WriteChunk(Stream output, string type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        output.Write(word);
        var typeAndBody = new byte[4 + body.Length];
        Encoding.ASCII.GetBytes(type, typeAndBody);
        body.CopyTo(typeAndBody.AsSpan(4));
        output.Write(typeAndBody);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32(typeAndBody));
        output.Write(word);
    }
}
