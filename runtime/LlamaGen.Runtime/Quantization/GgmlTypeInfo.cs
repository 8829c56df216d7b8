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
        (elementsPerBlock, bytesPerBlock) = type switch
        {
            GgmlType.F32 => (1, 4),
            GgmlType.F16 => (1, 2),
            GgmlType.BF16 => (1, 2),
            GgmlType.Q4_0 => (32, 2 + 16),
            GgmlType.Q4_1 => (32, 2 + 2 + 16),
            GgmlType.Q5_0 => (32, 2 + 4 + 16),
            GgmlType.Q5_1 => (32, 2 + 2 + 4 + 16),
            GgmlType.Q8_0 => (32, 2 + 32),
            GgmlType.Q8_1 => (32, 4 + 32),
            GgmlType.Q2_K => (256, 16 + 64 + 2 + 2),
            GgmlType.Q3_K => (256, 32 + 64 + 12 + 2),
            GgmlType.Q4_K => (256, 2 + 2 + 12 + 128),
            GgmlType.Q5_K => (256, 2 + 2 + 12 + 32 + 128),
            GgmlType.Q6_K => (256, 128 + 64 + 16 + 2),
            GgmlType.Q8_K => (256, 4 + 256 + 32),
            _ => (0, 0),
        };
        return elementsPerBlock != 0;
    }

    /// <summary>The lower-case name used in specs and by llama.cpp (<c>q4_0</c>, <c>f16</c>, ...).</summary>
    public static string Name(GgmlType type) => type.ToString().ToLowerInvariant();

    public static bool TryParse(string name, out GgmlType type)
    {
        foreach (var candidate in Enum.GetValues<GgmlType>())
        {
            if (string.Equals(Name(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    private static NotSupportedException Unknown(GgmlType type) => new($"Unknown ggml tensor type {(uint)type}.");
}
