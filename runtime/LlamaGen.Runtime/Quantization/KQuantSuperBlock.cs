namespace LlamaGen.Quantization;

/// <summary>
/// One K-quant super-block (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K) decoded into integers: every element is
/// <c>D * Scales[k / SubValues] * Quants[k] - DMin * Mins[k / SubValues]</c> for the types with mins (Q2_K, Q4_K, Q5_K),
/// and <c>D * Scales[k / SubValues] * (Quants[k] - Offset)</c> for the types with a fixed offset (Q3_K: 4, Q6_K: 32).
/// The quants are unsigned (0 .. 2^bits - 1), so an x86 <c>vpdpbusd</c> can take them as its unsigned operand.
/// </summary>
/// <remarks>
/// The element order and bit positions follow ggml's <c>dequantize_row_q*_K</c> (ggml-quants.c); the tests check
/// that the formula above, evaluated in ggml's operation order, reproduces <see cref="KQuantDequantization"/> bit for bit.
/// </remarks>
public unsafe struct KQuantSuperBlock
{
    public const int Elements = 256;

    public Half D;
    /// <summary>Scale of the mins; zero for the offset types.</summary>
    public Half DMin;
    /// <summary>Group scales (16 groups of 16, or 8 of 32 for Q4_K/Q5_K); signed for Q3_K (-32..31) and Q6_K.</summary>
    public fixed sbyte Scales[16];
    /// <summary>Group mins (unsigned) for Q2_K, Q4_K, Q5_K; zero otherwise.</summary>
    public fixed byte Mins[16];
    public fixed byte Quants[Elements];

    /// <summary>Elements per group scale: 32 for Q4_K and Q5_K, 16 for Q2_K, Q3_K and Q6_K.</summary>
    public static int SubValues(GgmlType type) => Layout(type).SubValues;

    /// <summary>Whether elements subtract <c>DMin * min</c> (Q2_K, Q4_K, Q5_K) rather than a fixed offset.</summary>
    public static bool HasMins(GgmlType type) => Layout(type).HasMins;

    /// <summary>The fixed offset of the quants: 4 for Q3_K, 32 for Q6_K, 0 for the types with mins.</summary>
    public static int Offset(GgmlType type) => Layout(type).Offset;

    /// <summary>Bits per quant: 2, 3, 4, 5, 6.</summary>
    public static int Bits(GgmlType type) => Layout(type).Bits;

    private static RepackedLayouts.KQuantLayout Layout(GgmlType type) =>
        GgmlBlocks.IsKQuant(type) ? RepackedLayouts.KQuant(type) : throw new ArgumentException($"{type} is not a K-quant type.", nameof(type));

    /// <summary>
    /// Decodes the super-block of <paramref name="type"/> at <paramref name="block"/> (its GGUF bytes,
    /// <c>GgmlTypeInfo.BlockBytes(type)</c> long; the caller guarantees them).
    /// </summary>
    public static void Decode(GgmlType type, byte* block, out KQuantSuperBlock result)
    {
        result = default;
        fixed (KQuantSuperBlock* r = &result)
        {
            switch (type)
            {
                case GgmlType.Q2_K: DecodeQ2_K((BlockQ2_K*)block, r); break;
                case GgmlType.Q3_K: DecodeQ3_K((BlockQ3_K*)block, r); break;
                case GgmlType.Q4_K: DecodeQ4_K((BlockQ4_K*)block, r); break;
                case GgmlType.Q5_K: DecodeQ5_K((BlockQ5_K*)block, r); break;
                case GgmlType.Q6_K: DecodeQ6_K((BlockQ6_K*)block, r); break;
                default: throw new ArgumentException($"{type} is not a K-quant type.", nameof(type));
            }
        }
    }

    // Q2_K: element k = 128n + 32j + l reads bits 2j.. of qs[32n + l]; group k / 16 keeps its scale in the low and its
    // min in the high nibble of scales[k / 16].
    private static void DecodeQ2_K(BlockQ2_K* b, KQuantSuperBlock* r)
    {
        r->D = b->D;
        r->DMin = b->DMin;
        for (int g = 0; g < 16; g++)
        {
            r->Scales[g] = (sbyte)(b->Scales[g] & 0xF);
            r->Mins[g] = (byte)(b->Scales[g] >> 4);
        }
        for (int k = 0; k < Elements; k++)
            r->Quants[k] = (byte)((b->Qs[32 * (k / 128) + k % 32] >> (2 * (k % 128 / 32))) & 3);
    }

    // Q3_K: the low two bits as Q2_K's; the third bit is bit 4n + j of hmask[l]; element = d * (scale - 32) * (q - 4).
    private static void DecodeQ3_K(BlockQ3_K* b, KQuantSuperBlock* r)
    {
        r->D = b->D;
        Span<sbyte> scales = stackalloc sbyte[16];
        KQuantDequantization.UnpackQ3_KScales(new ReadOnlySpan<byte>(b->Scales, 12), scales);
        for (int g = 0; g < 16; g++) r->Scales[g] = (sbyte)(scales[g] - 32);
        for (int k = 0; k < Elements; k++)
        {
            int n = k / 128, j = k % 128 / 32, l = k % 32;
            int low = (b->Qs[32 * n + l] >> (2 * j)) & 3;
            int high = (b->HMask[l] >> (4 * n + j)) & 1;
            r->Quants[k] = (byte)(low | high << 2);
        }
    }

    // Q4_K: 64-element chunk j holds group 2j in the low and group 2j + 1 in the high nibbles of qs[32j ..].
    private static void DecodeQ4_K(BlockQ4_K* b, KQuantSuperBlock* r)
    {
        r->D = b->D;
        r->DMin = b->DMin;
        ScalesAndMinsK4(new ReadOnlySpan<byte>(b->Scales, 12), r);
        for (int k = 0; k < Elements; k++)
        {
            byte packed = b->Qs[32 * (k / 64) + k % 32];
            r->Quants[k] = (byte)(k % 64 < 32 ? packed & 0xF : packed >> 4);
        }
    }

    // Q5_K: Q4_K's nibbles plus bit k / 32 of qh[k % 32] as the fifth bit.
    private static void DecodeQ5_K(BlockQ5_K* b, KQuantSuperBlock* r)
    {
        r->D = b->D;
        r->DMin = b->DMin;
        ScalesAndMinsK4(new ReadOnlySpan<byte>(b->Scales, 12), r);
        for (int k = 0; k < Elements; k++)
        {
            byte packed = b->Qs[32 * (k / 64) + k % 32];
            int low = k % 64 < 32 ? packed & 0xF : packed >> 4;
            int high = (b->Qh[k % 32] >> (k / 32)) & 1;
            r->Quants[k] = (byte)(low | high << 4);
        }
    }

    // Q6_K: element k = 128n + 32f + l: low nibble (f < 2) or high nibble (f >= 2) of ql[64n + 32(f % 2) + l], the top
    // two bits at 2f of qh[32n + l]; element = d * scale * (q - 32).
    private static void DecodeQ6_K(BlockQ6_K* b, KQuantSuperBlock* r)
    {
        r->D = b->D;
        for (int g = 0; g < 16; g++) r->Scales[g] = b->Scales[g];
        for (int k = 0; k < Elements; k++)
        {
            int n = k / 128, f = k % 128 / 32, l = k % 32;
            byte packed = b->Ql[64 * n + 32 * (f % 2) + l];
            int low = f < 2 ? packed & 0xF : packed >> 4;
            int high = (b->Qh[32 * n + l] >> (2 * f)) & 3;
            r->Quants[k] = (byte)(low | high << 4);
        }
    }

    private static void ScalesAndMinsK4(ReadOnlySpan<byte> packed, KQuantSuperBlock* r)
    {
        for (int g = 0; g < 8; g++)
        {
            KQuantDequantization.ScaleMinK4(g, packed, out byte scale, out byte min);
            r->Scales[g] = (sbyte)scale;
            r->Mins[g] = min;
        }
    }
}
