using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// <see cref="QuantizedBlockValidator"/> finds a NaN or infinite scale planted in any block of any quantized format, at
/// the right block and byte offset (per ggml-common.h's layouts), and passes clean data.
/// </summary>
public unsafe class QuantizedBlockValidatorTests
{
    public static TheoryData<GgmlType> QuantizedTypes() => new(GgmlBlockScales.QuantizedTypes);

    /// <summary>Clean random blocks: every scale field finite (the same shaping as the dequantization tests).</summary>
    private static byte[] CleanBlocks(GgmlType type, int blocks, int seed)
    {
        var bytes = new byte[(long)blocks * GgmlTypeInfo.BlockBytes(type)];
        new Random(seed).NextBytes(bytes);
        int stride = GgmlTypeInfo.BlockBytes(type);
        for (int b = 0; b < blocks; b++)
        {
            if (type == GgmlType.Q8_K)
            {
                bytes[b * stride + 3] &= 0xBF; // clears one exponent bit: never all ones
                continue;
            }
            foreach (var (offset, _) in GgmlBlockScales.Float16Fields(type))
                bytes[b * stride + offset + 1] &= 0xBF;
        }
        return bytes;
    }

    /// <summary>Every scale field of <paramref name="type"/>: (offset in block, name, width in bytes).</summary>
    private static (int Offset, string Name, int Width)[] Fields(GgmlType type) =>
        type == GgmlType.Q8_K ? [(0, "d", 4)] : GgmlBlockScales.Float16Fields(type).Select(f => (f.Offset, f.Name, 2)).ToArray();

    private static void Plant(byte[] bytes, GgmlType type, long block, int offset, int width, int which)
    {
        var at = bytes.AsSpan((int)(block * GgmlTypeInfo.BlockBytes(type) + offset));
        // Quiet NaN, signalling NaN with payload, +inf, -inf: every non-finite class.
        if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(at, new ushort[] { 0x7E00, 0x7C01, 0x7C00, 0xFC00 }[which % 4]);
        else BinaryPrimitives.WriteUInt32LittleEndian(at, new[] { 0x7FC00000u, 0x7F800001u, 0x7F800000u, 0xFF800000u }[which % 4]);
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void CleanDataPasses(GgmlType type)
    {
        // 103 blocks: not a multiple of the scan's unroll, so the tail loop is covered too.
        var bytes = CleanBlocks(type, 103, 1);
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(type, bytes, out _));
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(type, ReadOnlySpan<byte>.Empty, out _));
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void APlantedBadScaleIsFoundAtItsBlockAndOffset(GgmlType type)
    {
        const int blocks = 103;
        int stride = GgmlTypeInfo.BlockBytes(type);
        int which = 0;
        foreach (var (offset, name, width) in Fields(type))
        {
            foreach (long k in new long[] { 0, 1, 3, 4, 57, 99, 100, 102 })
            {
                var bytes = CleanBlocks(type, blocks, (int)k);
                Plant(bytes, type, k, offset, width, which++);
                Assert.True(QuantizedBlockValidator.TryFindNonFiniteScale(type, bytes, out var found), $"{type} {name} in block {k} not found");
                Assert.Equal(k, found.BlockIndex);
                Assert.Equal(k * stride + offset, found.ByteOffset);
                Assert.Equal(name, found.Field);
                Assert.False(float.IsFinite(found.Value));
                uint expectedBits = width == 2 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)found.ByteOffset))
                                               : BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)found.ByteOffset));
                Assert.Equal(expectedBits, found.Bits);
            }
        }
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void TheFirstBadBlockIsReported(GgmlType type)
    {
        var (offset, _, width) = Fields(type)[^1];
        var bytes = CleanBlocks(type, 64, 2);
        Plant(bytes, type, 41, offset, width, 0);
        Plant(bytes, type, 42, offset, width, 2);
        Plant(bytes, type, 9, offset, width, 1);
        Assert.True(QuantizedBlockValidator.TryFindNonFiniteScale(type, bytes, out var found));
        Assert.Equal(9, found.BlockIndex);
    }

    [Theory]
    [MemberData(nameof(QuantizedTypes))]
    public void LargestAndSubnormalScalesAreFinite(GgmlType type)
    {
        // The edge just below infinity and the smallest values must not trip the exponent test.
        var bytes = CleanBlocks(type, 8, 3);
        int stride = GgmlTypeInfo.BlockBytes(type);
        for (int b = 0; b < 8; b++)
        {
            foreach (var (offset, _, width) in Fields(type))
            {
                var at = bytes.AsSpan(b * stride + offset);
                if (width == 2) BinaryPrimitives.WriteUInt16LittleEndian(at, new ushort[] { 0x7BFF, 0xFBFF, 0x0001, 0x83FF, 0x0000, 0x8000, 0x7800, 0x3C00 }[b]);
                else BinaryPrimitives.WriteUInt32LittleEndian(at, new[] { 0x7F7FFFFFu, 0xFF7FFFFFu, 1u, 0x807FFFFFu, 0u, 0x80000000u, 0x7F000000u, 0x3F800000u }[b]);
            }
        }
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(type, bytes, out var found), $"{type}: block {found.BlockIndex} {found.Field} flagged");
    }

    [Fact]
    public void ScansBeyondTheSizeOfASpan()
    {
        // A tensor is addressed through a pointer and a long length; check the last block of ~96 MB of Q4_0 that way.
        const long blocks = 96L << 20 >> 4;
        long length = blocks * 18;
        byte* data = (byte*)NativeMemory.AllocZeroed((nuint)length);
        try
        {
            Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.Q4_0, data, length, out _));
            *(ushort*)(data + (blocks - 1) * 18) = 0x7C00;
            Assert.True(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.Q4_0, data, length, out var found));
            Assert.Equal(blocks - 1, found.BlockIndex);
            Assert.Equal((blocks - 1) * 18, found.ByteOffset);
            Assert.Equal(float.PositiveInfinity, found.Value);
        }
        finally
        {
            NativeMemory.Free(data);
        }
    }

    [Fact]
    public void UnquantizedTypesHaveNothingToCheck()
    {
        var halves = new byte[64];
        BinaryPrimitives.WriteUInt16LittleEndian(halves, 0x7E00);
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.F16, halves, out _));
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.F32, halves, out _));
        Assert.False(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.BF16, halves, out _));
    }

    [Fact]
    public void PartialBlocksAreRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.Q6_K, new byte[211], out _));
        Assert.Contains("q6_k", ex.Message);
        Assert.Contains("210", ex.Message);
    }

    [Fact]
    public void TheErrorNamesFileTensorBlockFieldAndOffset()
    {
        var bytes = CleanBlocks(GgmlType.Q4_K, 10, 4);
        Plant(bytes, GgmlType.Q4_K, 7, 2, 2, 0); // dmin of block 7 = NaN
        Assert.True(QuantizedBlockValidator.TryFindNonFiniteScale(GgmlType.Q4_K, bytes, out var found));
        var error = QuantizedBlockValidator.NonFiniteScaleError("model.gguf", "blk.3.ffn_down.weight", GgmlType.Q4_K, 1_000_000, found);
        Assert.IsType<GgufFormatException>(error);
        Assert.Equal("model.gguf", error.FilePath);
        Assert.Equal(1_000_000 + 7 * 144 + 2, error.ByteOffset);
        Assert.Contains("blk.3.ffn_down.weight", error.Message);
        Assert.Contains("block 7", error.Message);
        Assert.Contains("dmin", error.Message);
        Assert.Contains("q4_k", error.Message);
        Assert.Contains("NaN", error.Message);
        Assert.Contains((1_000_000 + 7 * 144 + 2).ToString(), error.Message);
    }
}
