using System.Buffers.Binary;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Kernels;

/// <summary>
/// The BF16 part of the reference: bfloat16 is 1 sign bit, 8 exponent bits (bias 127, as float32) and 7 mantissa bits,
/// the upper half of a float32. The reference decodes those fields in double rather than reusing the kernels' shift.
/// </summary>
public static partial class MatVecReference
{
    /// <summary>The bfloat16 with bits <paramref name="bits"/>, decoded from its fields; finite patterns only.</summary>
    public static double BFloat16Value(ushort bits)
    {
        int exponent = (bits >> 7) & 0xFF;
        int mantissa = bits & 0x7F;
        if (exponent == 0xFF)
            throw new ArgumentOutOfRangeException(nameof(bits), $"0x{bits:X4} is an infinity or NaN; the reference only takes finite bfloat16 values.");
        double magnitude = exponent == 0
            ? Math.ScaleB(mantissa / 128.0, -126)                 // subnormal: 0.m * 2^-126
            : Math.ScaleB(1 + mantissa / 128.0, exponent - 127);  // normal: 1.m * 2^(e - 127)
        return (bits & 0x8000) != 0 ? -magnitude : magnitude;
    }

    /// <summary><c>y = dot(row, x)</c> for a BF16 row, and the sum of |terms|.</summary>
    private static (double Value, double Magnitude) BFloat16Row(ReadOnlySpan<byte> row, int columns, ReadOnlySpan<float> x)
    {
        double value = 0, magnitude = 0;
        for (int c = 0; c < columns; c++)
        {
            double term = BFloat16Value(BinaryPrimitives.ReadUInt16LittleEndian(row[(2 * c)..])) * x[c];
            value += term;
            magnitude += Math.Abs(term);
        }
        return (value, magnitude);
    }

    /// <summary>Random BF16 rows: every element from <see cref="RandomBFloat16Bits"/>.</summary>
    private static byte[] RandomBFloat16Weights(int rows, int columns, Random random)
    {
        var bytes = new byte[rows * GgmlTypeInfo.RowBytes(GgmlType.BF16, columns)];
        for (int i = 0; i < rows * columns; i++)
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), RandomBFloat16Bits(random));
        return bytes;
    }

    /// <summary>
    /// Mostly ordinary values in [-1, 1], plus zeros of both signs, subnormals and arbitrary finite patterns, so the
    /// kernels' conversion meets every class of finite input. The arbitrary patterns stop at 2^64 (exponent field 191):
    /// beyond that, products with the activations and their sums over a row could overflow float32, and the check would
    /// compare infinities instead of the conversion.
    /// </summary>
    private static ushort RandomBFloat16Bits(Random random)
    {
        int sign = random.Next(2) << 15;
        return random.Next(20) switch
        {
            0 => (ushort)sign,                                                  // +0 / -0
            1 => (ushort)(sign | random.Next(1, 0x80)),                         // subnormal: exponent 0, mantissa nonzero
            2 => (ushort)(sign | random.Next(1, 192) << 7 | random.Next(0x80)), // any normal up to 2^64
            _ => RoundToBFloat16((float)(random.NextDouble() * 2 - 1)),
        };
    }

    /// <summary>float32 to bfloat16, rounding to nearest even (as ggml's <c>GGML_FP32_TO_BF16</c> for finite values).</summary>
    private static ushort RoundToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }
}
