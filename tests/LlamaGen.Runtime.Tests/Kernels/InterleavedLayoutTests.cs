using LlamaGen.Quantization;

namespace LlamaGen.Runtime.Tests.Kernels;

/// <summary>
/// The repacking into <see cref="InterleavedLayout"/>, read back with the layout as documented (the kernels are checked
/// against the GGUF-layout reference separately, in <see cref="GeneratedKernelTests"/>).
/// </summary>
public sealed class InterleavedLayoutTests
{
    [Theory]
    [InlineData(GgmlType.Q4_0, 8, 64)]
    [InlineData(GgmlType.Q4_0, 13, 96)]
    [InlineData(GgmlType.Q8_0, 172, 64)]
    [InlineData(GgmlType.Q8_0, 3, 32)]
    public void EveryRowReadsBackFromItsGroupAndLane(GgmlType type, int rows, int columns)
    {
        var random = new Random(rows * 31 + columns);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        var source = new byte[rows * rowBytes];
        random.NextBytes(source);
        var packed = new byte[InterleavedLayout.Bytes(type, rows, columns)];
        Assert.Equal((rows + 7) / 8 * 8 * rowBytes, packed.Length);
        InterleavedLayout.Repack(type, source, rows, columns, packed);

        int blocks = columns / 32, groupBlock = 8 * blockBytes, chunks = (blockBytes - 2) / 4;
        byte flip = type == GgmlType.Q8_0 ? (byte)0x80 : (byte)0;
        for (int row = 0; row < (rows + 7) / 8 * 8; row++)
        {
            int group = row / 8, lane = row % 8;
            for (int b = 0; b < blocks; b++)
            {
                int at = (group * blocks + b) * groupBlock;
                byte[] expected = row < rows
                    ? source.AsSpan((int)(row * rowBytes + b * blockBytes), blockBytes).ToArray()
                    : new byte[blockBytes]; // padding: scale 0, quants 0
                Assert.Equal(expected[0], packed[at + 2 * lane]);
                Assert.Equal(expected[1], packed[at + 2 * lane + 1]);
                for (int k = 0; k < chunks; k++)
                    for (int i = 0; i < 4; i++)
                    {
                        byte stored = (byte)(packed[at + 16 + 32 * k + 4 * lane + i] ^ flip);
                        Assert.True(expected[2 + 4 * k + i] == stored, $"row {row}, block {b}, quant byte {4 * k + i}");
                    }
            }
        }
    }

    /// <summary>
    /// Q4_1, Q5_0, Q5_1: per group and block the 8 d, then the 8 m (Q4_1, Q5_1), then the 8 transposed fifth-bit words
    /// (Q5_0, Q5_1: bit 8i + j of row r's word is bit 4j + i of its qh), then the nibble chunks as Q4_0 has them.
    /// Read back field by field from the GGUF block as ggml-common.h defines it.
    /// </summary>
    [Theory]
    [InlineData(GgmlType.Q4_1, 8, 64)]
    [InlineData(GgmlType.Q4_1, 13, 96)]
    [InlineData(GgmlType.Q5_0, 16, 32)]
    [InlineData(GgmlType.Q5_0, 11, 128)]
    [InlineData(GgmlType.Q5_1, 8, 64)]
    [InlineData(GgmlType.Q5_1, 21, 96)]
    public void MinimumsAndFifthBitsReadBackFromTheirGroupAndLane(GgmlType type, int rows, int columns)
    {
        var random = new Random(rows * 37 + columns + (int)type);
        int blockBytes = GgmlTypeInfo.BlockBytes(type);
        long rowBytes = GgmlTypeInfo.RowBytes(type, columns);
        var source = new byte[rows * rowBytes];
        random.NextBytes(source);
        var packed = new byte[InterleavedLayout.Bytes(type, rows, columns)];
        Assert.Equal((rows + 7) / 8 * 8 * rowBytes, packed.Length);
        InterleavedLayout.Repack(type, source, rows, columns, packed);

        bool hasMin = type is GgmlType.Q4_1 or GgmlType.Q5_1, hasHigh = type is GgmlType.Q5_0 or GgmlType.Q5_1;
        // ggml-common.h: d at 0, then m (2 bytes) and qh (4 bytes) where the type has them, then qs[16].
        int sourceHigh = hasMin ? 4 : 2, sourceQuants = sourceHigh + (hasHigh ? 4 : 0);
        int packedHigh = hasMin ? 32 : 16, packedQuants = packedHigh + (hasHigh ? 32 : 0);
        int blocks = columns / 32, groupBlock = 8 * blockBytes;
        Assert.Equal(groupBlock, packedQuants + 128);
        for (int row = 0; row < (rows + 7) / 8 * 8; row++)
        {
            int group = row / 8, lane = row % 8;
            for (int b = 0; b < blocks; b++)
            {
                int at = (group * blocks + b) * groupBlock;
                byte[] expected = row < rows
                    ? source.AsSpan((int)(row * rowBytes + b * blockBytes), blockBytes).ToArray()
                    : new byte[blockBytes]; // padding: d, m, fifth bits and quants all 0
                string where = $"{type} row {row}, block {b}";
                Assert.True(BitConverter.ToUInt16(expected, 0) == BitConverter.ToUInt16(packed, at + 2 * lane), $"{where}: d");
                if (hasMin)
                    Assert.True(BitConverter.ToUInt16(expected, 2) == BitConverter.ToUInt16(packed, at + 16 + 2 * lane), $"{where}: m");
                if (hasHigh)
                {
                    uint qh = BitConverter.ToUInt32(expected, sourceHigh), word = BitConverter.ToUInt32(packed, at + packedHigh + 4 * lane);
                    for (int j = 0; j < 8; j++)
                        for (int i = 0; i < 4; i++)
                            Assert.True((qh >> (4 * j + i) & 1) == (word >> (8 * i + j) & 1), $"{where}: fifth bit of element {4 * j + i}");
                }
                for (int k = 0; k < 4; k++)
                    for (int i = 0; i < 4; i++)
                        Assert.True(expected[sourceQuants + 4 * k + i] == packed[at + packedQuants + 32 * k + 4 * lane + i], $"{where}: quant byte {4 * k + i}");
            }
        }
    }

    [Fact]
    public void TheQuantizedBlockTypesAreInterleaved()
    {
        foreach (GgmlType type in new[] { GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0 })
            Assert.True(InterleavedLayout.IsInterleaved(type), type.ToString());
        Assert.False(InterleavedLayout.IsInterleaved(GgmlType.F16));
        Assert.False(InterleavedLayout.IsInterleaved(GgmlType.F32));
        var e = Assert.Throws<ArgumentException>(() => InterleavedLayout.Bytes(GgmlType.F16, 8, 256));
        Assert.Contains("F16", e.Message);
        e = Assert.Throws<ArgumentException>(() => InterleavedLayout.Repack(GgmlType.Q8_0, new byte[33], 1, 32, new byte[8 * 34]));
        Assert.Contains("34 bytes", e.Message);
    }
}
