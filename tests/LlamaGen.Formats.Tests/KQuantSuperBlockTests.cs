using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// <see cref="KQuantSuperBlock.Decode"/> (the integers the K-quant kernels multiply) against the dequantizers, which
/// <see cref="DequantizationTests"/> checks against ggml bit for bit: the decoded scale, min and quant of every element,
/// put through ggml's formula in ggml's operation order, must give the very same float.
/// </summary>
public unsafe class KQuantSuperBlockTests
{
    public static TheoryData<GgmlType> KQuants() => new() { GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K };

    [Theory]
    [MemberData(nameof(KQuants))]
    public void DecodedIntegersReproduceTheDequantizedValues(GgmlType type)
    {
        const int Elements = 256 * 21; // a few blocks of every kind DequantizationTests.Blocks cycles through
        byte[] blocks = DequantizationTests.Blocks(type, Elements, seed: (int)type);
        var expected = new float[Elements];
        Dequantization.Row(type, blocks, expected);
        int blockBytes = GgmlTypeInfo.BlockBytes(type), subValues = KQuantSuperBlock.SubValues(type), offset = KQuantSuperBlock.Offset(type);
        int maxQuant = (1 << KQuantSuperBlock.Bits(type)) - 1;
        fixed (byte* source = blocks)
        {
            for (int b = 0; b < Elements / 256; b++)
            {
                KQuantSuperBlock.Decode(type, source + b * blockBytes, out KQuantSuperBlock decoded);
                float d = (float)decoded.D, dmin = (float)decoded.DMin;
                for (int k = 0; k < 256; k++)
                {
                    int q = decoded.Quants[k], scale = decoded.Scales[k / subValues], min = decoded.Mins[k / subValues];
                    Assert.InRange(q, 0, maxQuant);
                    float value = KQuantSuperBlock.HasMins(type)
                        ? d * scale * q - dmin * min          // Q2_K, Q4_K, Q5_K: (d * scale) * q - (dmin * min)
                        : d * scale * (q - offset);           // Q3_K, Q6_K: (d * scale) * (q - offset)
                    float want = expected[256 * b + k];
                    if (BitConverter.SingleToInt32Bits(value) != BitConverter.SingleToInt32Bits(want))
                        Assert.Fail($"{type} block {b} element {k}: decoded q={q} scale={scale} min={min} gives {value:R}, the dequantizer {want:R}.");
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(KQuants))]
    public void RepackingKeepsEveryRowsIntegers(GgmlType type)
    {
        // 13 rows: a full group of 8 and a partial one (3 padding rows), 2 super-blocks per row.
        const int Rows = 13, Columns = 512;
        byte[] source = DequantizationTests.Blocks(type, Rows * Columns, seed: 77 + (int)type);
        var packed = new byte[InterleavedLayout.Bytes(type, Rows, Columns)];
        InterleavedLayout.Repack(type, source, Rows, Columns, packed); // forwards K-quants to KQuantInterleavedLayout
        int superGroup = KQuantInterleavedLayout.SuperGroupBytes(type), groups = KQuantInterleavedLayout.Groups(type);
        int low = KQuantInterleavedLayout.LowBits(type), high = KQuantInterleavedLayout.HighBits(type);
        long rowBytes = GgmlTypeInfo.RowBytes(type, Columns);
        for (int row = 0; row < 16; row++)
        {
            for (int s = 0; s < Columns / 256; s++)
            {
                KQuantSuperBlock want = default;
                if (row < Rows)
                {
                    fixed (byte* p = source) KQuantSuperBlock.Decode(type, p + row * rowBytes + s * GgmlTypeInfo.BlockBytes(type), out want);
                }
                int g = row / 8, r = row % 8;
                ReadOnlySpan<byte> block = packed.AsSpan((g * (Columns / 256) + s) * superGroup, superGroup);
                Assert.Equal(BitConverter.HalfToUInt16Bits(want.D), BitConverter.ToUInt16(block[(2 * r)..]));
                Assert.Equal(BitConverter.HalfToUInt16Bits(want.DMin), BitConverter.ToUInt16(block[(16 + 2 * r)..]));
                for (int t = 0; t < groups; t++)
                {
                    Assert.Equal(want.Scales[t], (sbyte)block[KQuantInterleavedLayout.ScalesOffset + 8 * t + r]);
                    if (KQuantSuperBlock.HasMins(type)) Assert.Equal(want.Mins[t], block[KQuantInterleavedLayout.MinsOffset(type) + 8 * t + r]);
                }
                for (int k = 0; k < 256; k++)
                {
                    int range = k / 32, chunk = k % 32 / 4, i = k % 4;
                    int q = Field(block[KQuantInterleavedLayout.LowOffset(type)..], low, range, chunk, r, i);
                    if (high > 0) q |= Field(block[KQuantInterleavedLayout.HighOffset(type)..], high, range, chunk, r, i) << low;
                    if (q != want.Quants[k]) Assert.Fail($"{type} row {row} super-block {s} element {k}: repacked {q}, decoded {want.Quants[k]}.");
                }
            }
        }
    }

    // The layout as its documentation states it: pack range / (8 / bits), chunk, row r's bytes 4r.., field range % (8 / bits).
    private static int Field(ReadOnlySpan<byte> packs, int bits, int range, int chunk, int r, int i)
    {
        int perByte = 8 / bits;
        return (packs[256 * (range / perByte) + 32 * chunk + 4 * r + i] >> (bits * (range % perByte))) & ((1 << bits) - 1);
    }
}
