using LlamaGen.Quantization;

namespace LlamaGen.Gguf;

/// <summary>One entry of a GGUF file's tensor table, validated against the file when it was opened.</summary>
/// <param name="Dimensions">ne[0] (contiguous) first, as GGUF stores them.</param>
/// <param name="Offset">Relative to <see cref="GgufFile.DataOffset"/>.</param>
/// <param name="ByteLength">Bytes of data: rows (product of ne[1..]) times the row size of ne[0] elements.</param>
public sealed record GgufTensorInfo(string Name, long[] Dimensions, GgmlType Type, long Offset, long ByteLength)
{
    /// <summary>Total elements (product of the dimensions).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long d in Dimensions) count = checked(count * d);
            return count;
        }
    }

    /// <summary>Dimensions as text, innermost first, e.g. <c>[4096, 11008]</c>.</summary>
    public string ShapeText => "[" + string.Join(", ", Dimensions) + "]";
}
