namespace LlamaGen.Quantization;

/// <summary>
/// The layout the generated K-quant kernels (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) read: each super-block decoded into
/// integers (<see cref="KQuantSuperBlock"/>) and re-encoded for groups of 8 rows so that one 256-bit load holds four
/// consecutive quants of each of the 8 rows, as the Q4_0/Q8_0 kernels' <see cref="InterleavedLayout"/> does; the integer
/// dot products then land one row per 32-bit lane, and a group's scales widen to 32-bit lanes with one load.
/// </summary>
/// <remarks>
/// Unlike ggml's blocks, every type uses the same arrangement, so one kernel emitter serves all five: quants are stored
/// unsigned, split into a low part of <see cref="LowBits"/> (2, 4 or 8) bits and a high part of <see cref="HighBits"/>
/// (0 or 1) bits, and the scales and mins come unpacked, one byte per row and group.
/// Group <c>g</c> (rows 8g .. 8g+7), super-block <c>s</c> starts at <c>(g * columns / 256 + s) * SuperGroupBytes(type)</c>:
/// <list type="bullet">
/// <item>[0, 16): the 8 rows' f16 <c>d</c>; [16, 32): their f16 <c>dmin</c> (zero for Q3_K and Q6_K);</item>
/// <item>at <see cref="ScalesOffset"/>: per group scale <c>t</c> the 8 rows' signed scales (row r at <c>8t + r</c>); for
/// Q2_K/Q4_K/Q5_K then the mins the same way (<see cref="MinsOffset"/>);</item>
/// <item>at <see cref="LowOffset"/>: <c>8 / (8 / LowBits)</c> packs of 256 bytes. Pack <c>p</c> holds the 32-element ranges
/// <c>j = pV .. pV + V - 1</c> (<c>V = 8 / LowBits</c> values per byte): chunk <c>c</c> (32 bytes at <c>32c</c>), row
/// <c>r</c>'s bytes <c>4r .. 4r+3</c>, byte <c>i</c> carries in bits <c>[LowBits * f, LowBits * (f + 1))</c> the low
/// bits of element <c>32 (pV + f) + 4c + i</c>;</item>
/// <item>at <see cref="HighOffset"/>: the same with <c>HighBits</c> per field for the bits above <c>LowBits</c>.</item>
/// </list>
/// Sizes per row and super-block against the file's: Q4_K 148 / 144, Q5_K 276 / 176, Q6_K 276 / 210, Q3_K 116 / 110,
/// Q2_K 100 / 84 bytes (Q2_K pays its unpacked 4-bit scales and mins; Q5_K and Q6_K their whole-byte quants). Padding rows of a last partial group are zero.
/// </remarks>
public static unsafe class KQuantInterleavedLayout
{
    public const int GroupRows = RepackedLayouts.GroupRows;
    private const int K = RepackedLayouts.SuperBlockValues;

    public static bool IsKQuant(GgmlType type) => GgmlBlocks.IsKQuant(type);

    /// <summary>
    /// Bits of each quant in the low packs: 2 for Q2_K and Q3_K, 4 for Q4_K, 8 (whole bytes) for Q5_K and Q6_K (see
    /// <see cref="RepackedLayouts.KQuantLayout.LowBits"/> for why).
    /// </summary>
    public static int LowBits(GgmlType type) => Layout(type).LowBits;

    /// <summary>Bits of each quant above <see cref="LowBits"/>: Q3_K 1, otherwise 0.</summary>
    public static int HighBits(GgmlType type) => Layout(type).HighBits;

    /// <summary>Group scales per super-block: 8 (Q4_K, Q5_K) or 16.</summary>
    public static int Groups(GgmlType type) => Layout(type).Groups;

    public const int ScalesOffset = RepackedLayouts.KQuantLayout.ScalesOffset;

    public static int MinsOffset(GgmlType type) => Layout(type).MinsOffset;

    public static int LowOffset(GgmlType type) => Layout(type).LowOffset;

    public static int HighOffset(GgmlType type) => Layout(type).HighOffset;

    /// <summary>Bytes of one super-block of one group of 8 rows.</summary>
    public static int SuperGroupBytes(GgmlType type) => Layout(type).SuperGroupBytes;

    private static RepackedLayouts.KQuantLayout Layout(GgmlType type)
    {
        CheckType(type);
        return RepackedLayouts.KQuant(type);
    }

    /// <summary>Bytes of a whole repacked matrix of <paramref name="rows"/> x <paramref name="columns"/>.</summary>
    public static long Bytes(GgmlType type, long rows, long columns)
    {
        CheckShape(type, columns);
        long groups = (rows + GroupRows - 1) / GroupRows;
        return checked(groups * (columns / K) * SuperGroupBytes(type));
    }

    /// <summary>
    /// Repacks rows <c>[firstGroup * 8, (firstGroup + groupCount) * 8)</c> of a matrix in GGUF layout at
    /// <paramref name="source"/> into the matrix at <paramref name="destination"/> (<see cref="Bytes"/> long). Groups are
    /// independent, so threads can repack disjoint ranges. The caller guarantees both buffers.
    /// </summary>
    public static void Repack(GgmlType type, byte* source, long rows, long columns, byte* destination, long firstGroup, long groupCount)
    {
        CheckShape(type, columns);
        long superBlocks = columns / K;
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long rowBytes = superBlocks * blockBytes;
        int superGroupBytes = SuperGroupBytes(type);
        int groups = Groups(type);
        int lowBits = LowBits(type), highBits = HighBits(type);
        int minsOffset = MinsOffset(type), lowOffset = LowOffset(type), highOffset = HighOffset(type);
        bool hasMins = KQuantSuperBlock.HasMins(type);
        KQuantSuperBlock decoded;
        for (long g = firstGroup; g < firstGroup + groupCount; g++)
        {
            for (long s = 0; s < superBlocks; s++)
            {
                byte* output = destination + (g * superBlocks + s) * superGroupBytes;
                new Span<byte>(output, superGroupBytes).Clear();
                for (int r = 0; r < GroupRows; r++)
                {
                    long row = g * GroupRows + r;
                    if (row >= rows) continue; // padding: all zero
                    KQuantSuperBlock.Decode(type, source + row * rowBytes + s * blockBytes, out decoded);
                    ((Half*)output)[r] = decoded.D;
                    ((Half*)(output + 16))[r] = decoded.DMin;
                    for (int t = 0; t < groups; t++)
                    {
                        output[ScalesOffset + GroupRows * t + r] = (byte)decoded.Scales[t];
                        if (hasMins) output[minsOffset + GroupRows * t + r] = decoded.Mins[t];
                    }
                    PutPacks(decoded.Quants, output + lowOffset, r, 0, lowBits);
                    if (highBits > 0) PutPacks(decoded.Quants, output + highOffset, r, lowBits, highBits);
                }
            }
        }
    }

    /// <summary>
    /// Writes bits <c>[shift, shift + bits)</c> of row <paramref name="r"/>'s 256 quants into the packs at
    /// <paramref name="packs"/>: element <c>32 * range + 4 * chunk + i</c> goes to byte <c>256 * pack + 32 * chunk + 4r + i</c>,
    /// field <c>range % (8 / bits)</c>.
    /// </summary>
    private static void PutPacks(byte* quants, byte* packs, int r, int shift, int bits)
    {
        int perByte = 8 / bits, mask = (1 << bits) - 1;
        for (int range = 0; range < K / 32; range++)
        {
            byte* pack = packs + 256 * (range / perByte) + 4 * r;
            int field = bits * (range % perByte);
            byte* q = quants + 32 * range;
            for (int chunk = 0; chunk < 8; chunk++)
                for (int i = 0; i < 4; i++)
                    pack[32 * chunk + i] |= (byte)(((q[4 * chunk + i] >> shift) & mask) << field);
        }
    }

    private static void CheckType(GgmlType type)
    {
        if (!IsKQuant(type)) throw new ArgumentException($"{type} is not a K-quant type.", nameof(type));
    }

    private static void CheckShape(GgmlType type, long columns)
    {
        CheckType(type);
        if (columns <= 0 || columns % K != 0)
            throw new ArgumentException($"A {type} row of {columns} elements is not a whole number of {K}-element super-blocks.", nameof(columns));
    }
}
