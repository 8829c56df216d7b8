using System.Buffers.Binary;

namespace LlamaGen.Quantization;

/// <summary>
/// float32 ↔ bfloat16 (GGUF type BF16) as ggml converts them. bfloat16 is the upper half of a float32: 1 sign bit,
/// 8 exponent bits, 7 mantissa bits.
/// </summary>
public static class BFloat16Conversion
{
    /// <summary>ggml's <c>GGML_BF16_TO_FP32</c>: the 16 bits become the upper half; exact for every pattern, NaN payloads included.</summary>
    public static float ToSingle(ushort bits) => BitConverter.Int32BitsToSingle(bits << 16);

    /// <summary>
    /// ggml's <c>GGML_FP32_TO_BF16</c> (<c>ggml_compute_fp32_to_bf16</c>): round to nearest, ties to even, by adding
    /// 0x7FFF plus the lowest kept bit before truncating (a carry into the exponent rounds up to the next binade or to
    /// infinity, as IEEE rounding does); NaNs keep their upper bits with the quiet bit set, so none becomes infinity.
    /// Subnormals are rounded like any other value, not flushed.
    /// </summary>
    public static ushort FromSingle(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000)
            return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>A row of floats to little-endian bfloat16 (<c>ggml_fp32_to_bf16_row_ref</c>).</summary>
    public static void FromSingleRow(ReadOnlySpan<float> source, Span<byte> destination)
    {
        if (destination.Length != 2 * source.Length)
            throw new ArgumentException($"A BF16 row of {source.Length} elements is {2 * source.Length} bytes, not {destination.Length}.", nameof(destination));
        for (int i = 0; i < source.Length; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(destination[(2 * i)..], FromSingle(source[i]));
    }
}
