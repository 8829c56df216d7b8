using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// BF16 both ways against libggml-base.so, bit for bit: every one of the 65536 bfloat16 patterns through
/// <see cref="Dequantization.Row"/> and <see cref="BFloat16Conversion.ToSingle"/> against <c>ggml_bf16_to_fp32_row</c>,
/// and float32 edge cases plus random bit patterns through <see cref="BFloat16Conversion.FromSingleRow"/> (and
/// <see cref="ReferenceQuantization.QuantizeRow"/>, which the GGUF quantizer and test copies use) against
/// <c>ggml_fp32_to_bf16_row_ref</c>.
/// </summary>
public unsafe class BFloat16ConversionTests
{
    public static TheoryData<string> Variants() => GgmlQuantizationTests.Variants();

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryBFloat16PatternDequantizesLikeGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        const int Patterns = 1 << 16;
        var bytes = new byte[2 * Patterns];
        for (int i = 0; i < Patterns; i++) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2 * i), (ushort)i);

        var ours = new float[Patterns];
        var theirs = new float[Patterns];
        Dequantization.Row(GgmlType.BF16, bytes, ours);
        fixed (byte* src = bytes)
        fixed (float* dst = theirs)
            ggml.Bf16ToFp32Row(src, dst, Patterns);

        for (int i = 0; i < Patterns; i++)
        {
            int expected = BitConverter.SingleToInt32Bits(theirs[i]);
            Assert.True(expected == BitConverter.SingleToInt32Bits(ours[i]),
                $"bf16 0x{i:X4}: ggml 0x{expected:X8}, Dequantization.Row 0x{BitConverter.SingleToInt32Bits(ours[i]):X8}");
            int converted = BitConverter.SingleToInt32Bits(BFloat16Conversion.ToSingle((ushort)i));
            Assert.True(expected == converted, $"bf16 0x{i:X4}: ggml 0x{expected:X8}, BFloat16Conversion.ToSingle 0x{converted:X8}");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void FloatsRoundToBFloat16LikeGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        // Same path and handle as Ggml.Load's; this export is only needed here.
        var fp32ToBf16RowRef = (delegate* unmanaged<float*, ushort*, long, void>)NativeLibrary.GetExport(
            NativeLibrary.Load(Ggml.PathOf(variant)), "ggml_fp32_to_bf16_row_ref");

        uint[] bits = Inputs();
        float[] values = bits.Select(BitConverter.UInt32BitsToSingle).ToArray();
        var theirs = new ushort[values.Length];
        fixed (float* src = values)
        fixed (ushort* dst = theirs)
            fp32ToBf16RowRef(src, dst, values.Length);

        var ours = new byte[2 * values.Length];
        BFloat16Conversion.FromSingleRow(values, ours);
        var viaQuantizeRow = new byte[2 * values.Length];
        ReferenceQuantization.QuantizeRow(GgmlType.BF16, values, viaQuantizeRow);
        Assert.Equal(ours, viaQuantizeRow);
        for (int i = 0; i < values.Length; i++)
        {
            ushort our = BinaryPrimitives.ReadUInt16LittleEndian(ours.AsSpan(2 * i));
            Assert.True(theirs[i] == our, $"f32 0x{bits[i]:X8} ({values[i]:R}): ggml 0x{theirs[i]:X4}, ours 0x{our:X4}");
        }
    }

    /// <summary>
    /// Zeros, subnormals (the smallest, the largest, ties at bf16's subnormal spacing), ties and near-ties in both
    /// parities, values that carry into the next binade and into infinity, infinities, quiet and signalling NaNs,
    /// then random bit patterns; every one with both signs.
    /// </summary>
    private static uint[] Inputs()
    {
        var magnitudes = new List<uint>
        {
            0x0000_0000, 0x0000_0001, 0x0000_7FFF, 0x0000_8000, 0x0000_8001, 0x0001_8000, 0x007F_FFFF, 0x007F_8000,
            0x0080_0000, 0x3F80_0000, 0x3F80_7FFF, 0x3F80_8000, 0x3F80_8001, 0x3F81_7FFF, 0x3F81_8000, 0x3F81_8001,
            0x3FFF_8000, 0x3FFF_FFFF, 0x7F7F_0000, 0x7F7F_7FFF, 0x7F7F_8000, 0x7F7F_FFFF,
            0x7F80_0000, 0x7F80_0001, 0x7F80_FFFF, 0x7FBF_FFFF, 0x7FC0_0000, 0x7FFF_FFFF,
        };
        var random = new Random(16);
        for (int i = 0; i < 4096; i++) magnitudes.Add((uint)random.NextInt64(0, 0x8000_0000L));
        return [.. magnitudes, .. magnitudes.Select(m => m | 0x8000_0000)];
    }
}
