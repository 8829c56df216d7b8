namespace LlamaGen.Quantization;

/// <summary>
/// The layout the generated Q4_0 and Q8_0 kernels read: weights repacked at load time so that one 256-bit load holds
/// four consecutive quantized values of eight rows, and the integer dot products land one row per 32-bit lane
/// (the "repack" idea of llama.cpp's <c>block_q4_0x8</c>, with a layout of our own).
/// </summary>
/// <remarks>
/// Rows are taken in groups of <see cref="GroupRows"/>; a last, partial group is padded with zero rows (scale 0).
/// Group <c>g</c>, block <c>b</c> (32 columns) starts at byte <c>(g * blocksPerRow + b) * GroupBlockBytes(type)</c>:
/// <list type="bullet">
/// <item>bytes [0, 16): the eight rows' f16 scales <c>d</c>, row <c>r</c> at <c>2r</c>;</item>
/// <item>then chunks of 32 bytes, chunk <c>k</c> holding bytes <c>4k .. 4k+3</c> of each row's quants, row <c>r</c> at
/// <c>32k + 4r</c>. Q4_0: four chunks of the block's 16 nibble bytes as stored (low nibble = element <c>j</c>, high
/// nibble = element <c>j + 16</c>), unsigned 0..15. Q8_0: eight chunks of the 32 quants with the sign bit flipped
/// (<c>q + 128</c> as an unsigned byte), because x86 multiplies unsigned by signed bytes.</item>
/// </list>
/// The size equals the original tensor's (8 blocks of 18 or 34 bytes per group and block) plus the padding rows.
/// A dot product then is <c>sum_j u_j x_j - offset * sum_j x_j</c> with <c>offset</c> 8 (Q4_0) or 128 (Q8_0),
/// times <c>d_w * d_x</c>: exact integers, as llama.cpp computes them.
/// </remarks>
public static unsafe class InterleavedLayout
{
    /// <summary>Rows interleaved together: the lanes of one 256-bit vector of 32-bit sums.</summary>
    public const int GroupRows = 8;

    /// <summary>Whether weights of <paramref name="type"/> are repacked into this layout for the kernels.</summary>
    public static bool IsInterleaved(GgmlType type) => type is GgmlType.Q4_0 or GgmlType.Q8_0;

    /// <summary>Bytes of one block of one group (eight rows).</summary>
    public static int GroupBlockBytes(GgmlType type) => GroupRows * GgmlTypeInfo.BlockBytes(type);

    /// <summary>Bytes of a whole interleaved matrix of <paramref name="rows"/> x <paramref name="columns"/>.</summary>
    public static long Bytes(GgmlType type, long rows, long columns)
    {
        CheckType(type);
        long groups = (rows + GroupRows - 1) / GroupRows;
        return checked(groups * GroupRows * GgmlTypeInfo.RowBytes(type, columns));
    }

    /// <summary>
    /// Repacks rows <c>[firstGroup * 8, (firstGroup + groupCount) * 8)</c> of a matrix in GGUF layout at
    /// <paramref name="source"/> (<paramref name="rows"/> rows of <paramref name="columns"/>) into the interleaved matrix at
    /// <paramref name="destination"/> (<see cref="Bytes"/> long). Groups are independent, so threads can repack disjoint ranges.
    /// </summary>
    public static void Repack(GgmlType type, byte* source, long rows, long columns, byte* destination, long firstGroup, long groupCount)
    {
        CheckType(type);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long blocks = columns / 32;
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        int groupBlockBytes = GroupRows * blockBytes;
        int chunks = (blockBytes - 2) / 4;
        byte flip = type == GgmlType.Q8_0 ? (byte)0x80 : (byte)0;
        for (long g = firstGroup; g < firstGroup + groupCount; g++)
        {
            for (long b = 0; b < blocks; b++)
            {
                byte* output = destination + (g * blocks + b) * groupBlockBytes;
                for (int r = 0; r < GroupRows; r++)
                {
                    long row = g * GroupRows + r;
                    if (row >= rows)
                    {
                        *(ushort*)(output + 2 * r) = 0;
                        for (int k = 0; k < chunks; k++) *(uint*)(output + 16 + 32 * k + 4 * r) = flip * 0x01010101u;
                        continue;
                    }
                    byte* block = source + row * rowBytes + b * blockBytes;
                    *(ushort*)(output + 2 * r) = *(ushort*)block;
                    for (int k = 0; k < chunks; k++)
                        *(uint*)(output + 16 + 32 * k + 4 * r) = *(uint*)(block + 2 + 4 * k) ^ (flip * 0x01010101u);
                }
            }
        }
    }

    /// <summary>Repacks a whole matrix (see the ranged overload); <paramref name="destination"/> holds <see cref="Bytes"/>.</summary>
    public static void Repack(GgmlType type, ReadOnlySpan<byte> source, long rows, long columns, Span<byte> destination)
    {
        CheckType(type);
        long needed = GgmlTypeInfo.RowBytes(type, columns) * rows;
        if (source.Length < needed) throw new ArgumentException($"{rows}x{columns} {type} needs {needed} bytes; the source has {source.Length}.", nameof(source));
        if (destination.Length < Bytes(type, rows, columns))
            throw new ArgumentException($"The interleaved {rows}x{columns} {type} matrix needs {Bytes(type, rows, columns)} bytes; the destination has {destination.Length}.", nameof(destination));
        fixed (byte* s = source)
        fixed (byte* d = destination)
        {
            Repack(type, s, rows, columns, d, 0, (rows + GroupRows - 1) / GroupRows);
        }
    }

    private static void CheckType(GgmlType type)
    {
        if (!IsInterleaved(type)) throw new ArgumentException($"{type} weights are not interleaved (only Q4_0 and Q8_0 are).", nameof(type));
    }
}
