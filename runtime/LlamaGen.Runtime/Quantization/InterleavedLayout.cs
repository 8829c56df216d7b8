namespace LlamaGen.Quantization;

/// <summary>
/// The layout the generated kernels for the 32-element block types (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0) read: weights
/// repacked at load time so that one 256-bit load holds four consecutive quantized values of eight rows, and the integer
/// dot products land one row per 32-bit lane (the "repack" idea of llama.cpp's <c>block_q4_0x8</c>, with a layout of our own).
/// </summary>
/// <remarks>
/// Rows are taken in groups of <see cref="GroupRows"/>; a last, partial group is padded with zero rows (scales 0, and
/// minimums 0 where the type has them, so padding rows contribute nothing).
/// Group <c>g</c>, block <c>b</c> (32 columns) starts at byte <c>(g * blocksPerRow + b) * GroupBlockBytes(type)</c>:
/// <list type="bullet">
/// <item>bytes [0, 16): the eight rows' f16 scales <c>d</c>, row <c>r</c> at <c>2r</c>;</item>
/// <item>Q4_1 and Q5_1 only, the next 16 bytes: the eight rows' f16 minimums <c>m</c>, row <c>r</c> at <c>2r</c>;</item>
/// <item>Q5_0 and Q5_1 only, the next 32 bytes: the eight rows' fifth bits, row <c>r</c> at <c>4r</c>, as a 32-bit word
/// <c>h</c> whose bit <c>8i + j</c> is the fifth bit of element <c>4j + i</c> (bit <c>4j + i</c> of the block's
/// <c>qh</c>: a transpose of the 4 x 8 bit matrix, see <see cref="TransposeHighBits"/>);</item>
/// <item>then the quants, in chunks of 32 bytes, chunk <c>k</c> holding bytes <c>4k .. 4k+3</c> of each row's quants, row
/// <c>r</c> at <c>32k + 4r</c>. Q4_0, Q4_1, Q5_0, Q5_1: four chunks of the block's 16 nibble bytes as stored (low nibble =
/// element <c>j</c>, high nibble = element <c>j + 16</c>), unsigned 0..15. Q8_0: eight chunks of the 32 quants with the
/// sign bit flipped (<c>q + 128</c> as an unsigned byte), because x86 multiplies unsigned by signed bytes.</item>
/// </list>
/// Why the fifth bits are transposed: a kernel unpacks the quants into eight vectors per block (low and high nibbles of
/// the four chunks), vector <c>j</c> holding in byte <c>i</c> of row <c>r</c>'s lane element <c>4j + i</c> (low nibbles
/// of chunk <c>j</c> for <c>j</c> &lt; 4, high nibbles of chunk <c>j - 4</c> otherwise). With the transposed word, the
/// fifth bits of vector <c>j</c> sit at bit <c>j</c> of every byte of the lane, so one 32-bit shift (left by
/// <c>4 - j</c> or right by <c>j - 4</c>) and an AND with <c>0x10101010</c> put them at bit 4 of each byte, ready to be
/// ORed into the nibbles: two instructions per vector, where ggml's unpack of its bit order needs a byte shuffle, an OR
/// and a compare per 32 values of one row.
/// The size equals the original tensor's (8 blocks of 18, 20, 22, 24 or 34 bytes per group and block) plus the padding
/// rows. A dot product then is <c>sum_j u_j x_j - offset * sum_j x_j</c> with <c>offset</c> 8 (Q4_0), 16 (Q5_0) or
/// 128 (Q8_0), times <c>d_w * d_x</c>: exact integers, as llama.cpp computes them; Q4_1 and Q5_1 add
/// <c>m_w * d_x * sum_j x_j</c> instead of subtracting an offset.
/// </remarks>
public static unsafe class InterleavedLayout
{
    /// <summary>Rows interleaved together: the lanes of one 256-bit vector of 32-bit sums.</summary>
    public const int GroupRows = RepackedLayouts.GroupRows;

    /// <summary>
    /// Whether weights of <paramref name="type"/> are repacked for the kernels: into this layout, or for the K-quants into
    /// <see cref="KQuantInterleavedLayout"/>'s (also groups of <see cref="GroupRows"/> rows; <see cref="Bytes"/> and
    /// <see cref="Repack(GgmlType, byte*, long, long, byte*, long, long)"/> forward to it).
    /// </summary>
    public static bool IsInterleaved(GgmlType type) => IsLegacy(type) || KQuantInterleavedLayout.IsKQuant(type);

    /// <summary>The 32-element block types this class lays out itself.</summary>
    private static bool IsLegacy(GgmlType type) => GgmlBlocks.IsLegacyQuant(type);

    /// <summary>Bytes of one block of one group (eight rows).</summary>
    public static int GroupBlockBytes(GgmlType type) => RepackedLayouts.Legacy(type).GroupBlockBytes;

    /// <summary>Bytes of a whole interleaved matrix of <paramref name="rows"/> x <paramref name="columns"/>.</summary>
    public static long Bytes(GgmlType type, long rows, long columns)
    {
        CheckType(type);
        if (KQuantInterleavedLayout.IsKQuant(type)) return KQuantInterleavedLayout.Bytes(type, rows, columns);
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
        if (KQuantInterleavedLayout.IsKQuant(type))
        {
            KQuantInterleavedLayout.Repack(type, source, rows, columns, destination, firstGroup, groupCount);
            return;
        }
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long blocks = columns / 32;
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        int groupBlockBytes = GroupRows * blockBytes;
        // Source block (ggml-common.h): d, [m], [qh], qs. Destination: 8 d, [8 m], [8 transposed qh], quant chunks.
        RepackedLayouts.LegacyLayout layout = RepackedLayouts.Legacy(type);
        bool hasMin = layout.HasMin, hasHigh = layout.HasHigh;
        int sourceHigh = hasMin ? 4 : 2;
        int sourceQuants = sourceHigh + (hasHigh ? 4 : 0);
        int minOffset = layout.MinOffset, highOffset = layout.HighOffset, quantOffset = layout.QuantOffset;
        int chunks = layout.Chunks;
        uint flip = type == GgmlType.Q8_0 ? 0x80808080u : 0u;
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
                        if (hasMin) *(ushort*)(output + minOffset + 2 * r) = 0;
                        if (hasHigh) *(uint*)(output + highOffset + 4 * r) = 0;
                        for (int k = 0; k < chunks; k++) *(uint*)(output + quantOffset + 32 * k + 4 * r) = flip;
                        continue;
                    }
                    byte* block = source + row * rowBytes + b * blockBytes;
                    *(ushort*)(output + 2 * r) = *(ushort*)block;
                    if (hasMin) *(ushort*)(output + minOffset + 2 * r) = *(ushort*)(block + 2);
                    if (hasHigh) *(uint*)(output + highOffset + 4 * r) = TransposeHighBits(*(uint*)(block + sourceHigh));
                    for (int k = 0; k < chunks; k++)
                        *(uint*)(output + quantOffset + 32 * k + 4 * r) = *(uint*)(block + sourceQuants + 4 * k) ^ flip;
                }
            }
        }
    }

    /// <summary>
    /// The fifth bits of a Q5_0/Q5_1 block as the layout stores them: bit <c>8i + j</c> of the result is bit <c>4j + i</c>
    /// of <paramref name="qh"/> (element <c>4j + i</c>'s fifth bit), for <c>i</c> in 0..3 and <c>j</c> in 0..7.
    /// </summary>
    /// <remarks>
    /// Bit <c>4j + i</c> moving to <c>8i + j</c> rotates the 5-bit bit index right by 2: two perfect unshuffles
    /// (Hacker's Delight 7-2), four delta swaps each. A 7B model has about 2 * 10^8 blocks, so a bit-by-bit loop
    /// would cost seconds of load time.
    /// </remarks>
    internal static uint TransposeHighBits(uint qh) => Unshuffle(Unshuffle(qh));

    /// <summary>The outer perfect unshuffle: bit <c>p</c> moves to <c>p / 2</c> (even <c>p</c>) or <c>16 + p / 2</c> (odd).</summary>
    private static uint Unshuffle(uint x)
    {
        uint t = (x ^ (x >> 1)) & 0x22222222u;
        x ^= t ^ (t << 1);
        t = (x ^ (x >> 2)) & 0x0C0C0C0Cu;
        x ^= t ^ (t << 2);
        t = (x ^ (x >> 4)) & 0x00F000F0u;
        x ^= t ^ (t << 4);
        t = (x ^ (x >> 8)) & 0x0000FF00u;
        return x ^ t ^ (t << 8);
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
        if (!IsInterleaved(type)) throw new ArgumentException($"{type} weights are not interleaved (only the quantized types with kernels are).", nameof(type));
    }
}
