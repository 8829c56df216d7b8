// Shared source: compiled into the runtime (which repacks weights and quantizes activations into these layouts) and
// linked into the generator (whose kernels read them), so the offsets are written down once. netstandard2.0-safe C#.
#if LLAMAGEN_GENERATOR
namespace LlamaGen.Generator.Shared;
#else
namespace LlamaGen.Quantization;
#endif

/// <summary>
/// The byte layouts the generated kernels read: weights repacked into groups of <see cref="GroupRows"/> interleaved rows
/// (<see cref="Legacy"/> for the 32-element block types, <see cref="KQuant"/> for the K-quants; the runtime's
/// <c>InterleavedLayout</c> and <c>KQuantInterleavedLayout</c> describe and write them), and the quantized activations
/// (<see cref="Q8_0InputBytes"/>, <see cref="Q8_KInputBytes"/>; written by <c>ActivationQuantizer</c>).
/// </summary>
internal static class RepackedLayouts
{
    /// <summary>Rows interleaved together: the lanes of one 256-bit vector of 32-bit sums.</summary>
    public const int GroupRows = 8;

    /// <summary>Values per block of the 32-element types and of the Q8_0 kernel input.</summary>
    public const int BlockValues = 32;

    /// <summary>Values per K-quant super-block and Q8_K input block.</summary>
    public const int SuperBlockValues = 256;

    /// <summary>
    /// Kernel input bytes per 32 values (<c>QuantizeKernelInput</c>): the block's 32 quants (at 0), its float scale (at 32)
    /// and its int sum (at 36).
    /// </summary>
    public const int Q8_0InputBlockBytes = 40;

    /// <summary>Bytes of one token's Q8_0 kernel input for <paramref name="columns"/> values: one 40-byte block per 32.</summary>
    public static int Q8_0InputBytes(int columns) => columns / BlockValues * Q8_0InputBlockBytes;

    /// <summary>
    /// Bytes of one token's Q8_K kernel input for <paramref name="columns"/> values: the quants (at 0), a float scale per
    /// 256 (at <c>columns</c>), an int sum per 16 (after the scales).
    /// </summary>
    public static int Q8_KInputBytes(int columns) => columns + columns / SuperBlockValues * 4 + columns / 16 * 4;

    /// <summary>The interleaved layout of a 32-element block type (Q4_0, Q4_1, Q5_0, Q5_1, Q8_0).</summary>
    public static LegacyLayout Legacy(GgmlType type) => new LegacyLayout(type);

    /// <summary>The interleaved layout of a K-quant type (Q2_K .. Q6_K).</summary>
    public static KQuantLayout KQuant(GgmlType type) => new KQuantLayout(type);

    /// <summary>
    /// Group <c>g</c>, block <c>b</c> of a 32-element type: the 8 rows' f16 scales at 0; Q4_1/Q5_1 their f16 minimums at
    /// <see cref="MinOffset"/>; Q5_0/Q5_1 their transposed fifth-bit words at <see cref="HighOffset"/>; then
    /// <see cref="Chunks"/> chunks of 32 bytes at <see cref="QuantOffset"/>, chunk <c>k</c> holding bytes <c>4k..4k+3</c> of
    /// each row's quants (row <c>r</c> at <c>32k + 4r</c>).
    /// </summary>
    public readonly struct LegacyLayout
    {
        public LegacyLayout(GgmlType type)
        {
            Type = type;
            HasMin = type is GgmlType.Q4_1 or GgmlType.Q5_1;
            HasHigh = type is GgmlType.Q5_0 or GgmlType.Q5_1;
            HasNibbles = type != GgmlType.Q8_0;
            HighOffset = HasMin ? 32 : 16;
            QuantOffset = 16 + (HasMin ? 16 : 0) + (HasHigh ? 32 : 0);
            Chunks = HasNibbles ? 4 : 8;
            GroupBlockBytes = GroupRows * GgmlBlocks.Of(type).Bytes;
        }

        public GgmlType Type { get; }

        /// <summary>Q4_1 and Q5_1: an f16 minimum per block (<c>value = d * q + m</c>).</summary>
        public bool HasMin { get; }

        /// <summary>Q5_0 and Q5_1: a fifth bit per quant.</summary>
        public bool HasHigh { get; }

        /// <summary>Quants are nibbles (two per byte, low = element j, high = element j + 16): all but Q8_0.</summary>
        public bool HasNibbles { get; }

        /// <summary>Byte offset of the 8 rows' f16 minimums.</summary>
        public int MinOffset => 16;

        /// <summary>Byte offset of the 8 rows' transposed fifth-bit words (row r at 4r).</summary>
        public int HighOffset { get; }

        /// <summary>Byte offset of the first 32-byte quant chunk.</summary>
        public int QuantOffset { get; }

        /// <summary>32-byte quant chunks per group block: 4 of nibbles, 8 of whole bytes (Q8_0, sign bit flipped).</summary>
        public int Chunks { get; }

        /// <summary>Bytes of one block of one group: 8 times the type's block, as in the file.</summary>
        public int GroupBlockBytes { get; }
    }

    /// <summary>
    /// Group <c>g</c>, super-block <c>s</c> of a K-quant type: the 8 rows' f16 <c>d</c> at 0 and <c>dmin</c> at 16, the
    /// signed group scales at <see cref="ScalesOffset"/> (scale t of row r at <c>8t + r</c>), for Q2_K/Q4_K/Q5_K the mins
    /// at <see cref="MinsOffset"/> the same way, then the quants: packs of 256 bytes of <see cref="LowBits"/> per element
    /// at <see cref="LowOffset"/> and of <see cref="HighBits"/> at <see cref="HighOffset"/>; within a pack, chunk <c>c</c>
    /// (32 bytes) holds row <c>r</c>'s bytes at <c>32c + 4r</c>, and byte <c>i</c> carries in field <c>f</c> the bits of
    /// element <c>32 (p * 8 / bits + f) + 4c + i</c>.
    /// </summary>
    public readonly struct KQuantLayout
    {
        public KQuantLayout(GgmlType type)
        {
            Type = type;
            Bits = type switch { GgmlType.Q2_K => 2, GgmlType.Q3_K => 3, GgmlType.Q4_K => 4, GgmlType.Q5_K => 5, _ => 6 };
            // Whole bytes for Q5_K and Q6_K: unpacking a fifth and sixth bit cost the kernels more than reading 30 % more
            // bytes did (measured: the 4 + 2 bit packing ran Q6_K at 2.5 times Q4_K's time per super-block).
            LowBits = type is GgmlType.Q2_K or GgmlType.Q3_K ? 2 : type == GgmlType.Q4_K ? 4 : 8;
            HighBits = Bits > LowBits ? Bits - LowBits : 0;
            SubValues = type is GgmlType.Q4_K or GgmlType.Q5_K ? 32 : 16;
            HasMins = type is GgmlType.Q2_K or GgmlType.Q4_K or GgmlType.Q5_K;
            Offset = type == GgmlType.Q3_K ? 4 : type == GgmlType.Q6_K ? 32 : 0;
            Groups = SuperBlockValues / SubValues;
            MinsOffset = ScalesOffset + GroupRows * Groups;
            LowOffset = MinsOffset + (HasMins ? GroupRows * Groups : 0);
            HighOffset = LowOffset + GroupRows * SuperBlockValues * LowBits / 8;
            SuperGroupBytes = HighOffset + GroupRows * SuperBlockValues * HighBits / 8;
        }

        public GgmlType Type { get; }

        /// <summary>Bits per quant: 2 (Q2_K) .. 6 (Q6_K).</summary>
        public int Bits { get; }

        /// <summary>Bits of each quant in the low packs: 2 (Q2_K, Q3_K), 4 (Q4_K), 8 (Q5_K, Q6_K).</summary>
        public int LowBits { get; }

        /// <summary>Bits of each quant above <see cref="LowBits"/>: Q3_K 1, otherwise 0.</summary>
        public int HighBits { get; }

        /// <summary>Elements per group scale: 32 (Q4_K, Q5_K) or 16.</summary>
        public int SubValues { get; }

        /// <summary>Q2_K, Q4_K, Q5_K: a min per group (<c>value = d * scale * q - dmin * min</c>).</summary>
        public bool HasMins { get; }

        /// <summary>Q3_K and Q6_K: the fixed offset subtracted from every quant (4 and 32).</summary>
        public int Offset { get; }

        /// <summary>Group scales per super-block.</summary>
        public int Groups { get; }

        public const int ScalesOffset = 32;

        public int MinsOffset { get; }
        public int LowOffset { get; }
        public int HighOffset { get; }

        /// <summary>Bytes of one super-block of one group of 8 rows.</summary>
        public int SuperGroupBytes { get; }
    }
}
