using System.Runtime.InteropServices;

namespace LlamaGen.Quantization;

/// <summary>
/// Scalar float32 → block quantizers that follow ggml's <c>quantize_row_q8_0_ref</c> and <c>quantize_row_q4_0_ref</c>
/// operation for operation, so files we quantize are bit-identical to llama.cpp's. Slow by design; the tests
/// compare them with libggml-base.
/// </summary>
public static class ReferenceQuantization
{
    /// <summary>Q8_0: per block of 32, <c>d = max|x| / 127</c>, <c>q = round(x / d)</c> (half away from zero, as C's roundf).</summary>
    public static unsafe void QuantizeRowQ8_0(ReadOnlySpan<float> source, Span<BlockQ8_0> destination)
    {
        CheckLengths(source.Length, destination.Length, BlockQ8_0.Elements, "Q8_0");
        for (int i = 0; i < destination.Length; i++)
        {
            var x = source.Slice(i * BlockQ8_0.Elements, BlockQ8_0.Elements);
            float amax = 0f;
            foreach (float v in x)
            {
                float a = MathF.Abs(v);
                amax = amax > a ? amax : a; // C's MAX(amax, fabsf(v)), including what it does with NaN
            }

            float d = amax / 127f;
            // ggml multiplies by the reciprocal rather than dividing; keep it, the rounding differs.
            float id = d != 0f ? 1f / d : 0f;
            destination[i].D = (Half)d;
            fixed (sbyte* qs = destination[i].Qs)
            {
                for (int j = 0; j < BlockQ8_0.Elements; j++)
                    qs[j] = ToInt8(MathF.Round(x[j] * id, MidpointRounding.AwayFromZero));
            }
        }
    }

    /// <summary>
    /// Q4_0: per block of 32, the value of largest magnitude <c>max</c> (sign kept) gives <c>d = max / -8</c>, and
    /// <c>q = min(15, (int)(x / d + 8.5))</c>, so <c>max</c> itself maps to 0 and the range [-8, 7] is used asymmetrically.
    /// </summary>
    public static unsafe void QuantizeRowQ4_0(ReadOnlySpan<float> source, Span<BlockQ4_0> destination)
    {
        const int half = BlockQ4_0.Elements / 2;
        CheckLengths(source.Length, destination.Length, BlockQ4_0.Elements, "Q4_0");
        for (int i = 0; i < destination.Length; i++)
        {
            var x = source.Slice(i * BlockQ4_0.Elements, BlockQ4_0.Elements);
            float amax = 0f, max = 0f;
            foreach (float v in x)
            {
                if (amax < MathF.Abs(v))
                {
                    amax = MathF.Abs(v);
                    max = v;
                }
            }

            float d = max / -8f;
            float id = d != 0f ? 1f / d : 0f;
            destination[i].D = (Half)d;
            fixed (byte* qs = destination[i].Qs)
            {
                for (int j = 0; j < half; j++)
                {
                    // x*id + 8.5 lies in [0.5, 16.5] for ordinary data; ToInt8 also reproduces the degenerate cases.
                    byte q0 = (byte)Math.Min(15, (int)ToInt8(x[j] * id + 8.5f));
                    byte q1 = (byte)Math.Min(15, (int)ToInt8(x[j + half] * id + 8.5f));
                    qs[j] = (byte)(q0 | (q1 << 4));
                }
            }
        }
    }

    /// <summary>Quantizes a row into the bytes of <paramref name="type"/> blocks (the legacy and k-quant formats, F16, BF16 or F32).</summary>
    public static void QuantizeRow(GgmlType type, ReadOnlySpan<float> source, Span<byte> destination)
    {
        long expected = GgmlTypeInfo.RowBytes(type, source.Length);
        if (destination.Length != expected)
            throw new ArgumentException($"A {GgmlTypeInfo.Name(type)} row of {source.Length} elements is {expected} bytes, not {destination.Length}.", nameof(destination));
        switch (type)
        {
            case GgmlType.Q8_0: QuantizeRowQ8_0(source, MemoryMarshal.Cast<byte, BlockQ8_0>(destination)); break;
            case GgmlType.Q4_0: QuantizeRowQ4_0(source, MemoryMarshal.Cast<byte, BlockQ4_0>(destination)); break;
            case GgmlType.Q4_1: LegacyQuantization.QuantizeRowQ4_1(source, destination); break;
            case GgmlType.Q5_0: LegacyQuantization.QuantizeRowQ5_0(source, destination); break;
            case GgmlType.Q5_1: LegacyQuantization.QuantizeRowQ5_1(source, destination); break;
            case GgmlType.Q2_K: KQuantization.QuantizeRowQ2_K(source, destination); break;
            case GgmlType.Q3_K: KQuantization.QuantizeRowQ3_K(source, destination); break;
            case GgmlType.Q4_K: KQuantization.QuantizeRowQ4_K(source, destination); break;
            case GgmlType.Q5_K: KQuantization.QuantizeRowQ5_K(source, destination); break;
            case GgmlType.Q6_K: KQuantization.QuantizeRowQ6_K(source, destination); break;
            case GgmlType.F32: MemoryMarshal.AsBytes(source).CopyTo(destination); break;
            case GgmlType.F16:
                var halves = MemoryMarshal.Cast<byte, Half>(destination);
                for (int i = 0; i < source.Length; i++) halves[i] = (Half)source[i]; // round to nearest even, as ggml
                break;
            case GgmlType.BF16: BFloat16Conversion.FromSingleRow(source, destination); break;
            default:
                throw new NotSupportedException($"Quantizing to {GgmlTypeInfo.Name(type)} is not supported (supported: q8_0, q4_0, q4_1, q5_0, q5_1, q2_k, q3_k, q4_k, q5_k, q6_k, f16, bf16, f32).");
        }
    }

    /// <summary>
    /// C's float → int8_t conversion as compiled for x86 (cvttss2si to int32, keep the low byte): truncation toward
    /// zero, and 0x80000000 (low byte 0) for NaN, infinities and values beyond int32. Those arise when a block's scale
    /// underflows (all values subnormal), making the reciprocal infinite; .NET's saturating casts would differ there.
    /// </summary>
    private static sbyte ToInt8(float value)
    {
        int truncated = float.IsNaN(value) || value >= 2147483648f || value < -2147483648f ? int.MinValue : (int)value;
        return unchecked((sbyte)truncated);
    }

    private static void CheckLengths(int elements, int blocks, int blockSize, string name)
    {
        if (elements != blocks * blockSize)
            throw new ArgumentException($"{elements} elements do not fill {blocks} {name} blocks of {blockSize}.");
    }
}
