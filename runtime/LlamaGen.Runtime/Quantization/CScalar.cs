using System.Buffers.Binary;

namespace LlamaGen.Quantization;

/// <summary>
/// The C scalar conversions ggml's reference quantizers rely on, reproduced exactly as compiled for x86-64, so our
/// quantized bytes match libggml's for every input, degenerate ones (NaN, infinite or subnormal scales) included.
/// </summary>
internal static class CScalar
{
    /// <summary>
    /// C's float → int8_t/uint8_t cast as compiled for x86 (cvttss2si to int32, keep the low byte): truncation toward
    /// zero, and 0x80000000 (low byte 0) for NaN, infinities and values beyond int32. .NET's saturating casts differ
    /// there, and those values arise when a block's scale underflows and its reciprocal is infinite.
    /// </summary>
    public static sbyte ToInt8(float value) => unchecked((sbyte)ToInt32(value));

    /// <summary>C's float → int32 cast on x86 (cvttss2si): truncation, 0x80000000 for NaN and out-of-range values.</summary>
    public static int ToInt32(float value) =>
        float.IsNaN(value) || value >= 2147483648f || value < -2147483648f ? int.MinValue : (int)value;

    /// <summary>
    /// ggml's <c>nearest_int</c>: adds 1.5·2^23 so the float adder rounds to an integer (ties to even) and reads the
    /// integer back from the mantissa bits. Only meaningful for |x| ≤ 2^22; outside that (and for NaN) it returns the
    /// same garbage as the C code, bit for bit.
    /// </summary>
    public static int NearestInt(float value)
    {
        float shifted = value + 12582912f;
        int bits = BitConverter.SingleToInt32Bits(shifted);
        return (bits & 0x007fffff) - 0x00400000;
    }

    /// <summary>GGML_FP32_TO_FP16 (round to nearest even, as the F16C instruction and ggml's software path do).</summary>
    public static void WriteHalf(Span<byte> destination, float value) =>
        BinaryPrimitives.WriteHalfLittleEndian(destination, (Half)value);

    /// <summary>GGML_FP16_TO_FP32 of a stored float16 (exact).</summary>
    public static float ReadHalf(ReadOnlySpan<byte> source) => (float)BinaryPrimitives.ReadHalfLittleEndian(source);

    /// <summary>Checks that <paramref name="elements"/> floats fill the destination's blocks exactly.</summary>
    public static int BlockCount(int elements, int destinationBytes, int blockSize, int blockBytes, string name)
    {
        if (elements % blockSize != 0)
            throw new ArgumentException($"A {name} row of {elements} elements is not a whole number of blocks of {blockSize}.");
        int blocks = elements / blockSize;
        if ((long)blocks * blockBytes != destinationBytes)
            throw new ArgumentException($"{elements} elements make {blocks} {name} blocks of {blockBytes} bytes, not {destinationBytes} bytes.");
        return blocks;
    }
}
