namespace LlamaGen.Quantization;

/// <summary>Block geometry of each <see cref="GgmlType"/>: elements per block and bytes per block (ggml-common.h).</summary>
public static class GgmlTypeInfo
{
    public static bool IsKnown(GgmlType type) => TryGetLayout(type, out _, out _);

    /// <summary>Elements per block (1 for F32/F16/BF16).</summary>
    public static int BlockSize(GgmlType type) =>
        TryGetLayout(type, out int elements, out _) ? elements : throw Unknown(type);

    /// <summary>Bytes per block.</summary>
    public static int BlockBytes(GgmlType type) =>
        TryGetLayout(type, out _, out int bytes) ? bytes : throw Unknown(type);

    /// <summary>Bytes in a row of <paramref name="columns"/> elements; the row must be a whole number of blocks.</summary>
    public static long RowBytes(GgmlType type, long columns)
    {
        int block = BlockSize(type);
        if (columns % block != 0)
            throw new ArgumentException($"A row of {columns} elements is not a whole number of {type} blocks of {block}.", nameof(columns));
        return checked(columns / block * BlockBytes(type));
    }

    public static bool TryGetLayout(GgmlType type, out int elementsPerBlock, out int bytesPerBlock)
    {
        (elementsPerBlock, bytesPerBlock) = GgmlBlocks.Of(type);
        return elementsPerBlock != 0;
    }

    /// <summary>The lower-case name used in specs and by llama.cpp (<c>q4_0</c>, <c>f16</c>, ...).</summary>
    public static string Name(GgmlType type) => GgmlBlocks.Name(type);

    public static bool TryParse(string name, out GgmlType type) => GgmlBlocks.TryParse(name, out type);

    private static NotSupportedException Unknown(GgmlType type) => new($"Unknown ggml tensor type {(uint)type}.");
}
