using System.Buffers.Binary;
using System.Text;
using System.Text.Unicode;

namespace LlamaGen.Gguf;

/// <summary>
/// Reads little-endian GGUF primitives from a mapped file. Every read checks the remaining length first
/// and throws <see cref="GgufFormatException"/> naming the field, so a truncated or corrupt file can never
/// read outside the mapping.
/// </summary>
internal sealed unsafe class GgufCursor(byte* start, long length, string path)
{
    public long Position { get; set; }
    public long Length => length;
    public long Remaining => length - Position;
    public string Path => path;

    public GgufFormatException Error(string field, long offset, string problem) => new(path, field, offset, problem);

    /// <summary>Throws unless <paramref name="count"/> more bytes are available at the current position.</summary>
    public void Require(long count, string field)
    {
        if (count < 0 || count > Remaining)
            throw Error(field, Position,
                $"needs {(count < 0 ? "more than 2^63" : count.ToString())} bytes but only {Remaining} remain (the file is {length} bytes; truncated or corrupt)");
    }

    public ReadOnlySpan<byte> Take(long count, string field)
    {
        Require(count, field);
        if (count > int.MaxValue) throw Error(field, Position, $"a {count}-byte field is too large");
        var span = new ReadOnlySpan<byte>(start + Position, (int)count);
        Position += count;
        return span;
    }

    public byte ReadUInt8(string field) => Take(1, field)[0];
    public sbyte ReadInt8(string field) => (sbyte)Take(1, field)[0];
    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public short ReadInt16(string field) => BinaryPrimitives.ReadInt16LittleEndian(Take(2, field));
    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public int ReadInt32(string field) => BinaryPrimitives.ReadInt32LittleEndian(Take(4, field));
    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    public long ReadInt64(string field) => BinaryPrimitives.ReadInt64LittleEndian(Take(8, field));
    public float ReadFloat32(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
    public double ReadFloat64(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    public bool ReadBool(string field)
    {
        long at = Position;
        byte b = ReadUInt8(field);
        return b switch
        {
            0 => false,
            1 => true,
            _ => throw Error(field, at, $"a bool must be 0 or 1, found {b}"),
        };
    }

    /// <summary>A GGUF string: uint64 byte length, then that many bytes of UTF-8 (no terminator).</summary>
    public string ReadString(string field)
    {
        long at = Position;
        ulong byteLength = ReadUInt64(field + " length");
        if (byteLength > (ulong)Remaining)
            throw Error(field + " length", at, $"string length {byteLength} exceeds the {Remaining} bytes left in the file");
        if (byteLength > int.MaxValue)
            throw Error(field + " length", at, $"string length {byteLength} is too large");
        var bytes = Take((long)byteLength, field);
        if (!Utf8.IsValid(bytes))
        {
            // Report the byte where decoding stops, so the corruption can be found with a hex editor.
            Utf8.ToUtf16(bytes, new char[bytes.Length], out int validBytes, out _, replaceInvalidSequences: false);
            throw Error(field, at + 8 + validBytes, $"is not valid UTF-8 (invalid byte 0x{bytes[validBytes]:x2} after {validBytes} valid bytes)");
        }
        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Pointer to <paramref name="offset"/>; the caller has checked the range.</summary>
    public byte* At(long offset) => start + offset;
}
