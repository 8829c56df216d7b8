using System.Buffers.Binary;
using LlamaGen.Quantization;

namespace LlamaGen.TestSupport.Kernels;

/// <summary>
/// The Q4_1, Q5_0 and Q5_1 part of the reference: each weight decoded in double from the GGUF block as ggml-common.h
/// defines it (<c>block_q4_1</c>: d, m, qs[16]; <c>block_q5_0</c>: d, qh[4], qs[16]; <c>block_q5_1</c>: d, m, qh[4],
/// qs[16]; element <c>j &lt; 16</c> the low nibble of <c>qs[j]</c>, element <c>j + 16</c> its high nibble, the fifth
/// bit of element <c>j</c> bit <c>j</c> of the little-endian <c>qh</c>), times the activation decoded from its Q8_0
/// blocks (34 bytes per 32 values). The kernels compute the same sum with integer dot products and the activation's
/// integer sum; only float rounding may differ.
/// </summary>
public static partial class MatVecReference
{
    /// <summary>The 32-element block types with a minimum or a fifth bit, whose reference lives here.</summary>
    public static bool IsLegacyWithMinOrFifthBit(GgmlType type) => type is GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1;

    /// <summary>
    /// Weight <paramref name="i"/> of a Q4_1, Q5_0 or Q5_1 <paramref name="block"/> in double: <c>d * q + m</c> (Q4_1: q in
    /// 0..15; Q5_1: 0..31) or <c>d * (q - 16)</c> (Q5_0), with <c>d</c> and <c>m</c> exact through <see cref="Half"/>.
    /// </summary>
    public static double LegacyWeight(GgmlType type, ReadOnlySpan<byte> block, int i)
    {
        bool hasMin = type is GgmlType.Q4_1 or GgmlType.Q5_1;
        bool hasHigh = type is GgmlType.Q5_0 or GgmlType.Q5_1;
        int quants = 2 + (hasMin ? 2 : 0) + (hasHigh ? 4 : 0);
        int q = i < 16 ? block[quants + i] & 0xF : block[quants + i - 16] >> 4;
        if (hasHigh)
        {
            uint qh = BinaryPrimitives.ReadUInt32LittleEndian(block[(hasMin ? 4 : 2)..]);
            q |= (int)(qh >> i & 1) << 4;
        }
        double d = (double)ReadHalf(block, 0);
        return type switch
        {
            GgmlType.Q5_0 => d * (q - 16),
            GgmlType.Q4_1 or GgmlType.Q5_1 => d * q + (double)ReadHalf(block, 2),
            _ => throw new NotSupportedException(type.ToString()),
        };
    }

    /// <summary>
    /// <c>sum_i w_i * (d_x * x_i)</c>; the magnitude bounds the kernels' rounding: per element <c>|d * q'| + |m|</c>
    /// (<c>q'</c> the quant less Q5_0's offset) times <c>|d_x * x_i|</c>, since they scale the integer dot product and
    /// the minimum's sum term separately.
    /// </summary>
    private static (double Value, double Magnitude) LegacyRow(GgmlType type, ReadOnlySpan<byte> row, int columns, ReadOnlySpan<byte> xq8)
    {
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        bool hasMin = type is GgmlType.Q4_1 or GgmlType.Q5_1;
        double value = 0, magnitude = 0;
        for (int b = 0; b < columns / 32; b++)
        {
            ReadOnlySpan<byte> wb = row.Slice(b * blockBytes, blockBytes);
            ReadOnlySpan<byte> xb = xq8.Slice(b * 34, 34);
            double xd = (double)ReadHalf(xb, 0);
            double m = hasMin ? (double)ReadHalf(wb, 2) : 0;
            for (int i = 0; i < 32; i++)
            {
                double w = LegacyWeight(type, wb, i);
                double xi = xd * (sbyte)xb[2 + i];
                value += w * xi;
                magnitude += (Math.Abs(w - m) + Math.Abs(m)) * Math.Abs(xi);
            }
        }
        return (value, magnitude);
    }

    /// <summary>
    /// Random Q4_1/Q5_0/Q5_1 rows: random quant and fifth-bit bytes, and random finite f16 <c>d</c> (and <c>m</c>) of
    /// either sign, now and then zero or subnormal so the kernels' bit-level f16 conversion meets those too.
    /// </summary>
    private static byte[] RandomLegacyWeights(GgmlType type, int rows, int columns, Random random)
    {
        var bytes = new byte[rows * GgmlTypeInfo.RowBytes(type, columns)];
        random.NextBytes(bytes);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        bool hasMin = type is GgmlType.Q4_1 or GgmlType.Q5_1;
        for (int b = 0; b < bytes.Length / blockBytes; b++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(b * blockBytes, 2), RandomScaleBits(random));
            if (hasMin) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(b * blockBytes + 2, 2), RandomScaleBits(random));
        }
        return bytes;
    }

    private static ushort RandomScaleBits(Random random) => random.Next(32) switch
    {
        0 => (ushort)(random.Next(2) << 15),                          // +0 / -0
        1 => (ushort)(random.Next(2) << 15 | random.Next(1, 0x400)),  // subnormal
        _ => BitConverter.HalfToUInt16Bits((Half)((random.NextDouble() * 2 - 1) * 0.02)),
    };
}
