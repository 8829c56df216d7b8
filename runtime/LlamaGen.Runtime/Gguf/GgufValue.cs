// CONTRACT STUB — to be implemented by the GGUF owner.
namespace LlamaGen.Gguf;

public enum GgufValueType : uint
{
    UInt8 = 0, Int8 = 1, UInt16 = 2, Int16 = 3, UInt32 = 4, Int32 = 5, Float32 = 6, Bool = 7,
    String = 8, Array = 9, UInt64 = 10, Int64 = 11, Float64 = 12,
}

/// <summary>A metadata value: a scalar, a string, or an array of one element type.</summary>
public sealed class GgufValue
{
    public GgufValueType Type { get; init; }
    public GgufValueType ElementType { get; init; }
    /// <summary>The boxed scalar, string, or typed array (e.g. <c>float[]</c>, <c>string[]</c>).</summary>
    public object Value { get; init; } = null!;
}

/// <summary>A GGUF file is malformed; the message names the file, the field and the byte offset.</summary>
public sealed class GgufFormatException(string path, string field, long offset, string problem)
    : Exception($"{path}: {field} at byte offset {offset}: {problem}")
{
    public string FilePath { get; } = path;
    public string Field { get; } = field;
    public long ByteOffset { get; } = offset;
}
