using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Kernels;

/// <summary>The K-quant part of the reference: llama.cpp's dequantized weights times its dequantized Q8_K activation.</summary>
public static partial class MatVecReference
{
    public static bool IsKQuant(GgmlType type) => type is GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>
    /// <c>sum_k w_k * (d_x * q_k)</c> in double, with <c>w</c> from <see cref="Dequantization.Row"/> (bit-exact with ggml's
    /// <c>dequantize_row_q*_K</c>, checked against ggml itself in LlamaGen.Formats.Tests) and the activation from its Q8_K
    /// blocks in <paramref name="xq8"/> (292 bytes per 256 values, ggml's <c>quantize_row_q8_K</c>). The kernels compute the
    /// same sum with exact integer dot products; only float rounding may differ.
    /// </summary>
    private static (double Value, double Magnitude) KQuantRow(GgmlType type, ReadOnlySpan<byte> row, int columns, ReadOnlySpan<byte> xq8)
    {
        var weights = new float[columns];
        Dequantization.Row(type, row, weights);
        ReadOnlySpan<BlockQ8_K> activation = MemoryMarshal.Cast<byte, BlockQ8_K>(xq8[..(columns / 256 * BlockQ8_K.Size)]);
        double value = 0, magnitude = 0;
        for (int s = 0; s < columns / 256; s++)
        {
            BlockQ8_K block = activation[s];
            for (int i = 0; i < 256; i++)
            {
                double term = (double)weights[256 * s + i] * ((double)block.D * Quant(block, i));
                value += term;
                magnitude += Math.Abs(term);
            }
        }
        return (value, magnitude);
    }

    private static unsafe sbyte Quant(BlockQ8_K block, int i) => block.Qs[i];

    /// <summary>Random super-blocks: random bytes for quants and packed scales, random finite f16 d and dmin of either sign.</summary>
    private static byte[] RandomKQuantWeights(GgmlType type, int rows, int columns, Random random)
    {
        var bytes = new byte[rows * GgmlTypeInfo.RowBytes(type, columns)];
        random.NextBytes(bytes);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        (int D, int DMin) offsets = type switch
        {
            GgmlType.Q2_K => (80, 82),
            GgmlType.Q3_K => (108, -1),
            GgmlType.Q4_K or GgmlType.Q5_K => (0, 2),
            GgmlType.Q6_K => (208, -1),
            _ => throw new NotSupportedException(type.ToString()),
        };
        for (int b = 0; b < bytes.Length / blockBytes; b++)
        {
            WriteHalf(bytes, b * blockBytes + offsets.D, (Half)((random.NextDouble() * 2 - 1) * 0.002));
            if (offsets.DMin >= 0) WriteHalf(bytes, b * blockBytes + offsets.DMin, (Half)((random.NextDouble() * 2 - 1) * 0.002));
        }
        return bytes;
    }

    private static void WriteHalf(byte[] bytes, int offset, Half value) =>
        BitConverter.TryWriteBytes(bytes.AsSpan(offset, 2), BitConverter.HalfToUInt16Bits(value));
}
