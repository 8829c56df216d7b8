namespace LlamaGen.Quantization;

/// <summary>
/// Reference quantizers for the remaining 32-element block formats (Q4_1, Q5_0, Q5_1), ported operation for
/// operation from ggml's <c>quantize_row_q4_1_ref</c>, <c>quantize_row_q5_0_ref</c> and <c>quantize_row_q5_1_ref</c>
/// (ggml/src/ggml-quants.c), which is what llama.cpp's quantizer runs for these types without an importance matrix.
/// Q8_0 and Q4_0 are in <see cref="ReferenceQuantization"/>. Destinations are raw block bytes in ggml-common.h's layout:
/// <list type="bullet">
/// <item>block_q4_1 (20 bytes): half d, half m, qs[16] — element j is the low nibble of qs[j], element j+16 the high nibble; x = q·d + m.</item>
/// <item>block_q5_0 (22 bytes): half d, qh[4], qs[16] — the 5th bit of element j is bit j of the little-endian uint32 qh; x = (q − 16)·d.</item>
/// <item>block_q5_1 (24 bytes): half d, half m, qh[4], qs[16]; x = q·d + m.</item>
/// </list>
/// </summary>
public static class LegacyQuantization
{
    private const int Qk = 32;

    /// <summary>Q4_1: per block, <c>d = (max − min) / 15</c>, <c>m = min</c>, <c>q = min(15, (int8)((x − min)/d + 0.5))</c>.</summary>
    public static void QuantizeRowQ4_1(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 20;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, Qk, blockBytes, "Q4_1");
        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * Qk, Qk);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var (min, max) = MinMax(x);

            float d = (max - min) / 15f;
            float id = d != 0f ? 1f / d : 0f;
            CScalar.WriteHalf(y, d);
            CScalar.WriteHalf(y[2..], min);
            var qs = y[4..];
            for (int j = 0; j < Qk / 2; j++)
            {
                float x0 = (x[j] - min) * id;
                float x1 = (x[j + Qk / 2] - min) * id;
                int q0 = Math.Min(15, (int)CScalar.ToInt8(x0 + 0.5f));
                int q1 = Math.Min(15, (int)CScalar.ToInt8(x1 + 0.5f));
                qs[j] = unchecked((byte)(q0 | (q1 << 4)));
            }
        }
    }

    /// <summary>
    /// Q5_0: like Q4_0 with 5 bits: the value of largest magnitude <c>max</c> (sign kept) gives <c>d = max / −16</c>,
    /// <c>q = min(31, (int8)(x/d + 16.5))</c>.
    /// </summary>
    public static void QuantizeRowQ5_0(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 22;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, Qk, blockBytes, "Q5_0");
        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * Qk, Qk);
            var y = destination.Slice(i * blockBytes, blockBytes);
            float amax = 0f, max = 0f;
            foreach (float v in x)
            {
                if (amax < MathF.Abs(v))
                {
                    amax = MathF.Abs(v);
                    max = v;
                }
            }

            float d = max / -16f;
            float id = d != 0f ? 1f / d : 0f;
            CScalar.WriteHalf(y, d);
            uint qh = 0;
            var qs = y[6..];
            for (int j = 0; j < Qk / 2; j++)
            {
                int q0 = Math.Min(31, (int)CScalar.ToInt8(x[j] * id + 16.5f));
                int q1 = Math.Min(31, (int)CScalar.ToInt8(x[j + Qk / 2] * id + 16.5f));
                // As uint8_t in C: a negative int8 (only from degenerate scales) keeps its low byte.
                byte b0 = unchecked((byte)q0), b1 = unchecked((byte)q1);
                qs[j] = unchecked((byte)((b0 & 0x0F) | ((b1 & 0x0F) << 4)));
                qh |= (uint)((b0 & 0x10) >> 4) << j;
                qh |= (uint)((b1 & 0x10) >> 4) << (j + Qk / 2);
            }
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(y[2..], qh);
        }
    }

    /// <summary>Q5_1: <c>d = (max − min) / 31</c>, <c>m = min</c>, <c>q = (uint8)((x − min)/d + 0.5)</c> (no clamp, as ggml).</summary>
    public static void QuantizeRowQ5_1(ReadOnlySpan<float> source, Span<byte> destination)
    {
        const int blockBytes = 24;
        int blocks = CScalar.BlockCount(source.Length, destination.Length, Qk, blockBytes, "Q5_1");
        for (int i = 0; i < blocks; i++)
        {
            var x = source.Slice(i * Qk, Qk);
            var y = destination.Slice(i * blockBytes, blockBytes);
            var (min, max) = MinMax(x);

            float d = (max - min) / 31f;
            float id = d != 0f ? 1f / d : 0f;
            CScalar.WriteHalf(y, d);
            CScalar.WriteHalf(y[2..], min);
            uint qh = 0;
            var qs = y[8..];
            for (int j = 0; j < Qk / 2; j++)
            {
                byte b0 = unchecked((byte)CScalar.ToInt8((x[j] - min) * id + 0.5f));
                byte b1 = unchecked((byte)CScalar.ToInt8((x[j + Qk / 2] - min) * id + 0.5f));
                qs[j] = unchecked((byte)((b0 & 0x0F) | ((b1 & 0x0F) << 4)));
                qh |= (uint)((b0 & 0x10) >> 4) << j;
                qh |= (uint)((b1 & 0x10) >> 4) << (j + Qk / 2);
            }
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(y[4..], qh);
        }
    }

    /// <summary>ggml's scan: starts from ±FLT_MAX and uses strict comparisons, so NaNs are skipped.</summary>
    private static (float Min, float Max) MinMax(ReadOnlySpan<float> x)
    {
        float min = float.MaxValue, max = -float.MaxValue;
        foreach (float v in x)
        {
            if (v < min) min = v;
            if (v > max) max = v;
        }
        return (min, max);
    }
}
