using System.Buffers.Binary;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// Every dequantizer against ggml's own <c>dequantize_row_*</c> from libggml-base.so, bit for bit, on random blocks and
/// on blocks built to hit the edges: zero, negative, subnormal and largest scales, all-ones and all-zero quants.
/// </summary>
public unsafe class DequantizationTests
{
    private const int Elements = 256 * 16;

    public static TheoryData<string> Variants() => GgmlQuantizationTests.Variants();

    private static readonly GgmlType[] Dequantizable =
    [
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    ];

    /// <summary>What a block of <see cref="Blocks"/> looks like; cycles block by block.</summary>
    private enum BlockKind { Random, ZeroScales, AllOnesQuants, SubnormalScales, LargestScales, AllZeroQuants, NegativeScales }

    /// <summary>
    /// Random bytes for every field, then per block: scales forced finite (a NaN or infinite scale is what the validator
    /// rejects, and NaN payloads would make the comparison about hardware, not arithmetic) and shaped by its kind.
    /// </summary>
    internal static byte[] Blocks(GgmlType type, int elements, int seed)
    {
        var random = new Random(seed);
        int stride = GgmlTypeInfo.BlockBytes(type);
        var bytes = new byte[GgmlTypeInfo.RowBytes(type, elements)];
        random.NextBytes(bytes);
        var fields = GgmlBlockScales.Float16Fields(type);
        var kinds = Enum.GetValues<BlockKind>();
        for (int block = 0; block < bytes.Length / stride; block++)
        {
            var span = bytes.AsSpan(block * stride, stride);
            var kind = kinds[block % kinds.Length];
            if (kind is BlockKind.AllOnesQuants or BlockKind.AllZeroQuants)
                span.Fill(kind == BlockKind.AllOnesQuants ? (byte)0xFF : (byte)0x00); // every nibble, bit and sub-scale at its extreme
            if (type == GgmlType.Q8_K)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(span, Float32Scale(kind, random));
                continue;
            }
            foreach (var (offset, _) in fields)
                BinaryPrimitives.WriteUInt16LittleEndian(span[offset..], Float16Scale(kind, random, BinaryPrimitives.ReadUInt16LittleEndian(span[offset..])));
        }
        return bytes;
    }

    private static ushort Float16Scale(BlockKind kind, Random random, ushort current) => kind switch
    {
        BlockKind.ZeroScales => random.Next(2) == 0 ? (ushort)0x0000 : (ushort)0x8000,                 // +0 and -0
        BlockKind.SubnormalScales => (ushort)(random.Next(0x10000) & 0x83FF | 1),                      // exponent 0, nonzero
        BlockKind.LargestScales => random.Next(2) == 0 ? (ushort)0x7BFF : (ushort)0xFBFF,              // ±65504
        BlockKind.NegativeScales => (ushort)(0x8000 | random.Next(0x0400, 0x7C00)),
        _ => (current & 0x7C00) == 0x7C00 ? (ushort)(current & 0xBFFF) : current,                      // keep it, but finite
    };

    private static uint Float32Scale(BlockKind kind, Random random) => kind switch
    {
        BlockKind.ZeroScales => random.Next(2) == 0 ? 0u : 0x80000000u,
        BlockKind.SubnormalScales => (uint)random.Next(1, 0x800000),
        BlockKind.LargestScales => 0x7F7FFFFFu, // float.MaxValue: d * q overflows to infinity, and d * 0 stays 0
        BlockKind.NegativeScales => BitConverter.SingleToUInt32Bits(-(float)random.NextDouble()),
        _ => BitConverter.SingleToUInt32Bits((float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-6, 3)))),
    };

    private static void GgmlDequantize(Ggml ggml, GgmlType type, byte* src, float* dst, long count)
    {
        var function = type switch
        {
            GgmlType.Q4_0 => ggml.DequantizeRowQ4_0,
            GgmlType.Q4_1 => ggml.DequantizeRowQ4_1,
            GgmlType.Q5_0 => ggml.DequantizeRowQ5_0,
            GgmlType.Q5_1 => ggml.DequantizeRowQ5_1,
            GgmlType.Q8_0 => ggml.DequantizeRowQ8_0,
            GgmlType.Q2_K => ggml.DequantizeRowQ2_K,
            GgmlType.Q3_K => ggml.DequantizeRowQ3_K,
            GgmlType.Q4_K => ggml.DequantizeRowQ4_K,
            GgmlType.Q5_K => ggml.DequantizeRowQ5_K,
            GgmlType.Q6_K => ggml.DequantizeRowQ6_K,
            GgmlType.Q8_K => ggml.DequantizeRowQ8_K,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
        function(src, dst, count);
    }

    private static void AssertSameBits(GgmlType type, float[] expected, float[] actual)
    {
        int blockSize = GgmlTypeInfo.BlockSize(type);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{type} block {i / blockSize} element {i % blockSize}: ggml {expected[i]:R} (0x{BitConverter.SingleToInt32Bits(expected[i]):X8}), ours {actual[i]:R} (0x{BitConverter.SingleToInt32Bits(actual[i]):X8})");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryFormatDequantizesLikeGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        foreach (var type in Dequantizable)
        {
            foreach (int seed in new[] { 1, 2, 3 })
            {
                var bytes = Blocks(type, Elements, seed * 100 + (int)type);
                var ours = new float[Elements];
                var theirs = new float[Elements];
                Dequantization.Row(type, bytes, ours);
                fixed (byte* src = bytes)
                fixed (float* dst = theirs)
                    GgmlDequantize(ggml, type, src, dst, Elements);
                AssertSameBits(type, theirs, ours);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void BlockKindsReachTheEdges(string variant)
    {
        // Guards the generator above: if it stopped producing these blocks the comparison would prove less.
        var ggml = Ggml.Load(variant);
        foreach (var type in Dequantizable)
        {
            var bytes = Blocks(type, Elements, 5);
            var theirs = new float[Elements];
            fixed (byte* src = bytes)
            fixed (float* dst = theirs)
                GgmlDequantize(ggml, type, src, dst, Elements);
            int blockSize = GgmlTypeInfo.BlockSize(type);
            int kinds = Enum.GetValues<BlockKind>().Length;
            var zeroScaleBlock = theirs.AsSpan((int)BlockKind.ZeroScales * blockSize, blockSize);
            Assert.True(zeroScaleBlock.ToArray().All(v => v == 0f), $"{type}: a block with zero scales should dequantize to zeros");
            Assert.True(theirs.All(v => !float.IsNaN(v)) || type == GgmlType.Q8_K, $"{type}: finite scales gave NaN");
            Assert.True(Elements / blockSize >= kinds, $"{type}: {Elements} elements do not cover every block kind");
        }
    }

    [Fact]
    public void TypesWithoutADequantizerAreNamed()
    {
        var row = new byte[GgmlTypeInfo.RowBytes(GgmlType.Q8_1, 32)];
        var ex = Assert.Throws<NotSupportedException>(() => Dequantization.Row(GgmlType.Q8_1, row, new float[32]));
        Assert.Contains("q8_1", ex.Message);
        Assert.Contains("q6_k", ex.Message); // and lists what is supported
        Assert.False(Dequantization.IsSupported(GgmlType.Q8_1));

        var unknown = Assert.Throws<NotSupportedException>(() => Dequantization.Row((GgmlType)99, new byte[4], new float[1]));
        Assert.Contains("99", unknown.Message);
    }

    [Fact]
    public void RowLengthMismatchNamesTheType()
    {
        var ex = Assert.Throws<ArgumentException>(() => Dequantization.Row(GgmlType.Q4_K, new byte[143], new float[256]));
        Assert.Contains("q4_k", ex.Message);
        Assert.Contains("144", ex.Message);
    }

    [Fact]
    public void ScaleUnpackingCoversEverySixBitValue()
    {
        // get_scale_min_k4, inverted by hand from the packing in ggml's quantize_row_q4_K_ref: store every (scale, min)
        // pair 0..63 through the packing and read it back.
        var packed = new byte[12];
        for (int value = 0; value < 64; value++)
        {
            Array.Clear(packed);
            for (int j = 0; j < 8; j++)
            {
                byte ls = (byte)((value + j) & 63), lm = (byte)((value + 7 * j + 1) & 63);
                if (j < 4)
                {
                    packed[j] |= ls;
                    packed[j + 4] |= lm;
                }
                else
                {
                    packed[j + 4] = (byte)((ls & 0x0F) | ((lm & 0x0F) << 4));
                    packed[j - 4] |= (byte)((ls >> 4) << 6);
                    packed[j] |= (byte)((lm >> 4) << 6);
                }
            }
            for (int j = 0; j < 8; j++)
            {
                KQuantDequantization.ScaleMinK4(j, packed, out byte scale, out byte min);
                Assert.Equal((value + j) & 63, scale);
                Assert.Equal((value + 7 * j + 1) & 63, min);
            }
        }
    }
}
