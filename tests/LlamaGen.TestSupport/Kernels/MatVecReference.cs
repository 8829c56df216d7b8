using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Kernels;

/// <summary>
/// Plain scalar references for the matrix-vector kernels and the Q8_0 activation quantizer, written from the
/// ggml block definitions (ggml-common.h) and llama.cpp's x86 <c>quantize_row_q8_0</c>, independent of the
/// emitted code: every block is decoded in double, f16 through .NET's own <see cref="Half"/> conversion.
/// Also builds random weights and activations for the tests.
/// </summary>
public static partial class MatVecReference
{
    /// <summary>
    /// The expected <c>y[r]</c> and the sum of the absolute values of its terms; a kernel's float rounding error
    /// is bounded relative to that sum (not to the result, which may cancel to near zero).
    /// </summary>
    /// <remarks>
    /// <paramref name="xq8"/> is the activation as the weight type's partner quantizes it: Q8_0 blocks (34 bytes per 32) for
    /// the 32-element block types, Q8_K blocks (292 bytes per 256) for the K-quants; float types read <paramref name="x"/>.
    /// Each family's reference lives in its own part of this class (MatVecReference.*.cs).
    /// </remarks>
    public static (double Value, double Magnitude) Row(GgmlType type, ReadOnlySpan<byte> row, int columns, ReadOnlySpan<float> x, ReadOnlySpan<byte> xq8)
    {
        if (IsKQuant(type)) return KQuantRow(type, row, columns, xq8);
        double value = 0, magnitude = 0;
        switch (type)
        {
            case GgmlType.F32:
                for (int c = 0; c < columns; c++)
                {
                    double term = (double)BitConverter.ToSingle(row.Slice(4 * c, 4)) * x[c];
                    value += term;
                    magnitude += Math.Abs(term);
                }
                break;
            case GgmlType.F16:
                for (int c = 0; c < columns; c++)
                {
                    double term = (double)ReadHalf(row, 2 * c) * x[c];
                    value += term;
                    magnitude += Math.Abs(term);
                }
                break;
            case GgmlType.BF16:
                return BFloat16Row(row, columns, x);
            case GgmlType.Q4_1:
            case GgmlType.Q5_0:
            case GgmlType.Q5_1:
                return LegacyRow(type, row, columns, xq8);
            case GgmlType.Q8_0:
            case GgmlType.Q4_0:
                int blockBytes = GgmlTypeInfo.BlockBytes(type);
                for (int b = 0; b < columns / 32; b++)
                {
                    ReadOnlySpan<byte> wb = row.Slice(b * blockBytes, blockBytes);
                    ReadOnlySpan<byte> xb = xq8.Slice(b * 34, 34);
                    long dot = 0, absoluteDot = 0;
                    for (int i = 0; i < 32; i++)
                    {
                        long product = (long)WeightQuant(type, wb, i) * (sbyte)xb[2 + i];
                        dot += product;
                        absoluteDot += Math.Abs(product);
                    }
                    double scale = (double)ReadHalf(wb, 0) * (double)ReadHalf(xb, 0);
                    value += dot * scale;
                    // SIMD kernels convert per-lane partial sums to float before adding lanes, so their rounding
                    // scales with the products' magnitudes, not with the (possibly cancelling) block sum.
                    magnitude += absoluteDot * Math.Abs(scale);
                }
                break;
            default:
                throw new NotSupportedException($"No reference for {type}.");
        }
        return (value, magnitude);
    }

    /// <summary>Element <paramref name="i"/> of a block, as the integer the format stores (before scaling).</summary>
    public static int WeightQuant(GgmlType type, ReadOnlySpan<byte> block, int i) => type switch
    {
        GgmlType.Q8_0 => (sbyte)block[2 + i],
        // Q4_0: element j < 16 is the low nibble of byte j, element j + 16 its high nibble; stored offset by 8.
        GgmlType.Q4_0 => (i < 16 ? block[2 + i] & 0xF : block[2 + i - 16] >> 4) - 8,
        _ => throw new NotSupportedException(type.ToString()),
    };

    /// <summary>llama.cpp's x86 (AVX/AVX2/AVX-512 builds) quantize_row_q8_0, element by element.</summary>
    public static byte[] QuantizeQ8_0(ReadOnlySpan<float> x)
    {
        var result = new byte[x.Length / 32 * 34];
        for (int b = 0; b < x.Length / 32; b++)
        {
            float amax = 0;
            for (int i = 0; i < 32; i++) amax = Math.Max(amax, Math.Abs(x[32 * b + i]));
            float d = amax / 127f;
            float id = amax != 0 ? 127f / amax : 0f;
            BitConverter.TryWriteBytes(result.AsSpan(34 * b, 2), BitConverter.HalfToUInt16Bits((Half)d));
            for (int i = 0; i < 32; i++)
            {
                float scaled = x[32 * b + i] * id;
                result[34 * b + 2 + i] = (byte)(sbyte)(int)Math.Round(scaled, MidpointRounding.ToEven);
            }
        }
        return result;
    }

    public static Half ReadHalf(ReadOnlySpan<byte> bytes, int offset) =>
        BitConverter.UInt16BitsToHalf((ushort)(bytes[offset] | bytes[offset + 1] << 8));

    /// <summary>Random rows of <paramref name="type"/>: random f16 scales (either sign) and random quants over their full range.</summary>
    public static byte[] RandomWeights(GgmlType type, int rows, int columns, Random random)
    {
        if (IsKQuant(type)) return RandomKQuantWeights(type, rows, columns, random);
        var bytes = new byte[rows * GgmlTypeInfo.RowBytes(type, columns)];
        switch (type)
        {
            case GgmlType.F32:
                for (int i = 0; i < rows * columns; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(4 * i, 4), (float)(random.NextDouble() * 2 - 1));
                break;
            case GgmlType.F16:
                for (int i = 0; i < rows * columns; i++)
                    BitConverter.TryWriteBytes(bytes.AsSpan(2 * i, 2), RandomHalfBits(random));
                break;
            case GgmlType.BF16:
                return RandomBFloat16Weights(rows, columns, random);
            case GgmlType.Q4_1:
            case GgmlType.Q5_0:
            case GgmlType.Q5_1:
                return RandomLegacyWeights(type, rows, columns, random);
            case GgmlType.Q8_0:
            case GgmlType.Q4_0:
                random.NextBytes(bytes);
                int blockBytes = GgmlTypeInfo.BlockBytes(type);
                for (int b = 0; b < bytes.Length / blockBytes; b++)
                {
                    var scale = (Half)((random.NextDouble() * 2 - 1) * 0.02);
                    BitConverter.TryWriteBytes(bytes.AsSpan(b * blockBytes, 2), BitConverter.HalfToUInt16Bits(scale));
                }
                break;
            default:
                throw new NotSupportedException(type.ToString());
        }
        return bytes;
    }

    /// <summary>
    /// Mostly ordinary values in [-1, 1], plus zeros of both signs, subnormals and arbitrary finite bit patterns,
    /// so the kernels' bit-level f16 conversion meets every class of finite input.
    /// </summary>
    private static ushort RandomHalfBits(Random random)
    {
        int kind = random.Next(20);
        return kind switch
        {
            0 => (ushort)(random.Next(2) << 15),                                   // +0 / -0
            1 => (ushort)(random.Next(2) << 15 | random.Next(1, 0x400)),           // subnormal
            2 => (ushort)(random.Next(2) << 15 | random.Next(0x400, 0x7C00)),      // any finite normal
            _ => BitConverter.HalfToUInt16Bits((Half)(random.NextDouble() * 2 - 1)),
        };
    }

    /// <summary>Activations with some spread in magnitude, and a block of zeros (scale 0 must quantize to zeros).</summary>
    public static float[] RandomActivation(int columns, Random random)
    {
        var x = new float[columns];
        for (int i = 0; i < columns; i++) x[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-2, 2)));
        if (columns >= 64) Array.Clear(x, 32, 32);
        return x;
    }
}
