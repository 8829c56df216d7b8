namespace LlamaGen.Quantization;

/// <summary>
/// Reference (scalar, bit-exact with ggml's <c>dequantize_row_q*_K</c>) conversion of K-quant super-blocks to float32,
/// plus the scale unpacking the future K-quant kernels share with it. Each method follows ggml's loop order and
/// operation order (<c>d * scale</c> first, then times the quant, then minus <c>dmin * min</c>), because float
/// multiplication is not associative and the tests compare bits. Not for hot loops.
/// </summary>
public static unsafe class KQuantDequantization
{
    private const int K = 256; // ggml's QK_K: elements per super-block

    /// <summary>
    /// ggml's <c>get_scale_min_k4</c>: the 6-bit scale and min of group <paramref name="j"/> (0..7) from the 12 packed
    /// bytes of a Q4_K or Q5_K block. Groups 0..3 keep their values in the low six bits of bytes j and j+4; groups 4..7
    /// keep their low four bits in the nibbles of byte j+4 and their top two bits in the spare top bits of bytes j-4 and j.
    /// </summary>
    public static void ScaleMinK4(int j, ReadOnlySpan<byte> scales, out byte scale, out byte min)
    {
        if ((uint)j >= 8) throw new ArgumentOutOfRangeException(nameof(j), j, "K-quant blocks have 8 scale groups (0..7).");
        if (scales.Length < 12) throw new ArgumentException($"Packed K-quant scales are 12 bytes, got {scales.Length}.", nameof(scales));
        if (j < 4)
        {
            scale = (byte)(scales[j] & 63);
            min = (byte)(scales[j + 4] & 63);
        }
        else
        {
            scale = (byte)((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4));
            min = (byte)((scales[j + 4] >> 4) | ((scales[j] >> 6) << 4));
        }
    }

    /// <summary>
    /// The sixteen 6-bit group scales of a Q3_K block, 0..63 (subtract 32 for the signed scale). Group j's low four bits
    /// are the low nibble of byte j (j &lt; 8) or the high nibble of byte j-8; its top two bits sit in byte 8 + j % 4 at
    /// bit 2 * (j / 4). ggml's <c>dequantize_row_q3_K</c> does the same with 32-bit masks over the 12 bytes.
    /// </summary>
    public static void UnpackQ3_KScales(ReadOnlySpan<byte> packed, Span<sbyte> scales)
    {
        if (packed.Length < 12) throw new ArgumentException($"Packed Q3_K scales are 12 bytes, got {packed.Length}.", nameof(packed));
        if (scales.Length < 16) throw new ArgumentException($"Q3_K has 16 group scales; the destination holds {scales.Length}.", nameof(scales));
        for (int j = 0; j < 16; j++)
        {
            int low = j < 8 ? packed[j] & 0x0F : packed[j - 8] >> 4;
            int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
            scales[j] = (sbyte)(low | (high << 4));
        }
    }

    /// <summary>
    /// Q2_K: each 128-element half of a block reads 32 bytes of quants four times (shifts 0, 2, 4, 6), 16 elements per
    /// group; element = <c>(d * scale) * q - (dmin * min)</c>.
    /// </summary>
    public static void RowQ2_K(ReadOnlySpan<BlockQ2_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q2_K");
        fixed (BlockQ2_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D, dmin = (float)block[i].DMin;
                var y = destination.Slice(i * K, K);
                int at = 0, group = 0;
                for (int half = 0; half < 2; half++)
                {
                    byte* q = block[i].Qs + 32 * half;
                    for (int shift = 0; shift < 8; shift += 2)
                    {
                        for (int part = 0; part < 2; part++)
                        {
                            byte sc = block[i].Scales[group++];
                            float dl = d * (sc & 0x0F), ml = dmin * (sc >> 4);
                            for (int l = 0; l < 16; l++) y[at++] = dl * ((q[16 * part + l] >> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Q3_K: like Q2_K's layout for the low two bits; the high bit of element l of each 32-wide column comes from
    /// <c>hmask[l]</c>, one bit per pass (bit 0 for the first 32 elements, bit 7 for the last); a clear bit subtracts 4.
    /// Element = <c>(d * (scale - 32)) * q</c>.
    /// </summary>
    public static void RowQ3_K(ReadOnlySpan<BlockQ3_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q3_K");
        Span<sbyte> scales = stackalloc sbyte[16];
        fixed (BlockQ3_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D;
                UnpackQ3_KScales(new ReadOnlySpan<byte>(block[i].Scales, 12), scales);
                byte* hmask = block[i].HMask;
                var y = destination.Slice(i * K, K);
                int at = 0, group = 0, bit = 1;
                for (int half = 0; half < 2; half++)
                {
                    byte* q = block[i].Qs + 32 * half;
                    for (int shift = 0; shift < 8; shift += 2, bit <<= 1)
                    {
                        for (int part = 0; part < 2; part++)
                        {
                            float dl = d * (scales[group++] - 32);
                            for (int l = 16 * part; l < 16 * part + 16; l++)
                                y[at++] = dl * (((q[l] >> shift) & 3) - ((hmask[l] & bit) != 0 ? 0 : 4));
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Q4_K: four chunks of 32 bytes, each giving 32 elements from the low nibbles (group 2c) and then 32 from the high
    /// nibbles (group 2c+1); element = <c>(d * scale) * q - (dmin * min)</c>.
    /// </summary>
    public static void RowQ4_K(ReadOnlySpan<BlockQ4_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q4_K");
        fixed (BlockQ4_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D, dmin = (float)block[i].DMin;
                var packed = new ReadOnlySpan<byte>(block[i].Scales, 12);
                var y = destination.Slice(i * K, K);
                for (int chunk = 0; chunk < 4; chunk++)
                {
                    byte* q = block[i].Qs + 32 * chunk;
                    ScaleMinK4(2 * chunk, packed, out byte sc, out byte m);
                    float d1 = d * sc, m1 = dmin * m;
                    ScaleMinK4(2 * chunk + 1, packed, out sc, out m);
                    float d2 = d * sc, m2 = dmin * m;
                    var low = y.Slice(64 * chunk, 32);
                    var high = y.Slice(64 * chunk + 32, 32);
                    for (int l = 0; l < 32; l++) low[l] = d1 * (q[l] & 0x0F) - m1;
                    for (int l = 0; l < 32; l++) high[l] = d2 * (q[l] >> 4) - m2;
                }
            }
        }
    }

    /// <summary>
    /// Q5_K: Q4_K plus a fifth bit (worth 16) per element from <c>qh[l]</c>, bit 2c for the low-nibble group of chunk c
    /// and bit 2c+1 for its high-nibble group.
    /// </summary>
    public static void RowQ5_K(ReadOnlySpan<BlockQ5_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q5_K");
        fixed (BlockQ5_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D, dmin = (float)block[i].DMin;
                var packed = new ReadOnlySpan<byte>(block[i].Scales, 12);
                byte* qh = block[i].Qh;
                var y = destination.Slice(i * K, K);
                for (int chunk = 0; chunk < 4; chunk++)
                {
                    byte* ql = block[i].Qs + 32 * chunk;
                    int bit1 = 1 << (2 * chunk), bit2 = 2 << (2 * chunk);
                    ScaleMinK4(2 * chunk, packed, out byte sc, out byte m);
                    float d1 = d * sc, m1 = dmin * m;
                    ScaleMinK4(2 * chunk + 1, packed, out sc, out m);
                    float d2 = d * sc, m2 = dmin * m;
                    var low = y.Slice(64 * chunk, 32);
                    var high = y.Slice(64 * chunk + 32, 32);
                    for (int l = 0; l < 32; l++) low[l] = d1 * ((ql[l] & 0x0F) + ((qh[l] & bit1) != 0 ? 16 : 0)) - m1;
                    for (int l = 0; l < 32; l++) high[l] = d2 * ((ql[l] >> 4) + ((qh[l] & bit2) != 0 ? 16 : 0)) - m2;
                }
            }
        }
    }

    /// <summary>
    /// Q6_K: per 128-element half, 64 bytes of low nibbles and 32 bytes of high bit pairs make four runs of 32
    /// elements; element = <c>(d * scale) * (q - 32)</c>, with the scale of its 16-element group.
    /// </summary>
    public static void RowQ6_K(ReadOnlySpan<BlockQ6_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q6_K");
        fixed (BlockQ6_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = (float)block[i].D;
                for (int half = 0; half < 2; half++)
                {
                    byte* ql = block[i].Ql + 64 * half;
                    byte* qh = block[i].Qh + 32 * half;
                    sbyte* sc = block[i].Scales + 8 * half;
                    var y = destination.Slice(i * K + 128 * half, 128);
                    for (int l = 0; l < 32; l++)
                    {
                        int g = l / 16;
                        int q1 = ((ql[l] & 0x0F) | (((qh[l] >> 0) & 3) << 4)) - 32;
                        int q2 = ((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32;
                        int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                        int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                        y[l] = d * sc[g] * q1;
                        y[l + 32] = d * sc[g + 2] * q2;
                        y[l + 64] = d * sc[g + 4] * q3;
                        y[l + 96] = d * sc[g + 6] * q4;
                    }
                }
            }
        }
    }

    /// <summary>Q8_K: <c>d * q</c> with the block's float32 scale.</summary>
    public static void RowQ8_K(ReadOnlySpan<BlockQ8_K> blocks, Span<float> destination)
    {
        Dequantization.CheckElements(blocks.Length, K, destination.Length, "Q8_K");
        fixed (BlockQ8_K* block = blocks)
        {
            for (int i = 0; i < blocks.Length; i++)
            {
                float d = block[i].D;
                var y = destination.Slice(i * K, K);
                for (int j = 0; j < K; j++) y[j] = d * block[i].Qs[j];
            }
        }
    }
}
