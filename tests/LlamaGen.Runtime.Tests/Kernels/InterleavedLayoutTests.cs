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

    [Fact]
    public void OnlyQ4_0AndQ8_0AreInterleaved()
    {
        Assert.True(InterleavedLayout.IsInterleaved(GgmlType.Q4_0));
        Assert.True(InterleavedLayout.IsInterleaved(GgmlType.Q8_0));
        Assert.False(InterleavedLayout.IsInterleaved(GgmlType.F16));
        var e = Assert.Throws<ArgumentException>(() => InterleavedLayout.Bytes(GgmlType.Q4_K, 8, 256));
        Assert.Contains("Q4_K", e.Message);
        e = Assert.Throws<ArgumentException>(() => InterleavedLayout.Repack(GgmlType.Q8_0, new byte[33], 1, 32, new byte[8 * 34]));
        Assert.Contains("34 bytes", e.Message);
    }
}
