using System.Runtime.InteropServices;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// <see cref="ActivationQuantizer.QuantizeQ8_K(ReadOnlySpan{float}, Span{byte})"/> against ggml's
/// <c>quantize_row_q8_K_ref</c>, byte for byte (scale, quants and group sums).
/// </summary>
public unsafe class ActivationQuantizerQ8_KTests
{
    public static TheoryData<string> Variants() => GgmlQuantizationTests.Variants();

    /// <summary>
    /// One kind of input per 256-value block, since Q8_K picks one scale per 256: the cases where ggml's
    /// <c>nearest_int</c> trick and its sign-keeping scale matter.
    /// </summary>
    public static float[] Input(int seed)
    {
        const int kinds = 12;
        var random = new Random(seed);
        var x = new float[256 * kinds * 2];
        for (int block = 0; block < x.Length / 256; block++)
        {
            var span = x.AsSpan(block * 256, 256);
            int kind = block % kinds;
            for (int j = 0; j < 256; j++)
            {
                span[j] = kind switch
                {
                    0 => (float)(random.NextDouble() * 2 - 1),
                    1 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-8, 5))),
                    2 => 0f,
                    3 => j == 0 ? -127f : random.Next(-127, 127) + 0.5f,           // iscale = 1: exact ties, to even
                    4 => (float)(random.NextDouble() * 1e-40),                       // subnormal extreme: iscale = -inf
                    5 => (float)((random.NextDouble() * 2 - 1) * 3e38),              // near float.MaxValue
                    6 => j == 7 ? 2f : j == 9 ? -2f : (float)random.NextDouble(),   // +max first, -max later: first wins
                    7 => j == 100 ? float.NaN : (float)(random.NextDouble() * 2 - 1), // NaN never becomes the extreme
                    8 => j == 3 ? float.PositiveInfinity : (float)random.NextDouble(), // infinite extreme: d = -inf
                    9 => -(float)random.NextDouble() - 0.001f,                       // all negative: quants reach +127
                    10 => j % 2 == 0 ? -0f : 0f,                                     // signed zeros only: an all-zero block
                    _ => random.Next(-127, 128),                                     // integers: exact grid
                };
            }
        }
        return x;
    }

    private static byte[] Theirs(Ggml ggml, float[] x)
    {
        // ggml leaves bsums unwritten for all-zero blocks; start from zeros, which is what ours must then write.
        var theirs = new byte[ActivationQuantizer.QuantizedBytesQ8_K(x.Length)];
        fixed (float* px = x)
        fixed (byte* py = theirs)
            ggml.QuantizeRowQ8_KRef(px, py, x.Length);
        return theirs;
    }

    private static byte[] Ours(float[] x)
    {
        var ours = new byte[ActivationQuantizer.QuantizedBytesQ8_K(x.Length)];
        ours.AsSpan().Fill(0xCD); // garbage, so every byte must be written
        ActivationQuantizer.QuantizeQ8_K(x, ours);
        return ours;
    }

    private static void AssertSameBlocks(byte[] expected, byte[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i] == actual[i]) continue;
            int offset = i % BlockQ8_K.Size;
            string field = offset < 4 ? "d" : offset < 260 ? $"qs[{offset - 4}]" : $"bsums[{(offset - 260) / 2}]";
            Assert.Fail($"block {i / BlockQ8_K.Size} {field} (byte {offset}): ggml {expected[i]:x2}, ours {actual[i]:x2}");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeQ8_KMatchesGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var x = Input(seed);
            AssertSameBlocks(Theirs(ggml, x), Ours(x));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeQ8_KMatchesGgmlOnTheQ8_0Inputs(string variant)
    {
        // The Q8_0 tests' inputs mix eight kinds within each 256-value block.
        var ggml = Ggml.Load(variant);
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var x = GgmlQuantizationTests.Input(seed);
            AssertSameBlocks(Theirs(ggml, x), Ours(x));
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeQ8_KMatchesGgmlOnManyRandomBlocks(string variant)
    {
        // Enough ordinary values that a rounding slip (a fused multiply-add, a different tie rule) would show.
        var ggml = Ggml.Load(variant);
        var random = new Random(17);
        var x = new float[256 * 1024];
        for (int i = 0; i < x.Length; i++) x[i] = (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-3, 3)));
        AssertSameBlocks(Theirs(ggml, x), Ours(x));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizedActivationsDequantizeLikeGgml(string variant)
    {
        // The round trip through both libraries' Q8_K dequantizers: the blocks mean the same numbers.
        var ggml = Ggml.Load(variant);
        var x = Input(4);
        var blocks = Ours(x);
        var ours = new float[x.Length];
        var theirs = new float[x.Length];
        Dequantization.Row(GgmlType.Q8_K, blocks, ours);
        fixed (byte* src = blocks)
        fixed (float* dst = theirs)
            ggml.DequantizeRowQ8_K(src, dst, x.Length);
        Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ScalarPathMatchesGgml(string variant)
    {
        // QuantizeQ8_K takes the vector path wherever Vector256 is accelerated; the scalar fallback must agree too.
        var ggml = Ggml.Load(variant);
        foreach (var x in new[] { Input(5), GgmlQuantizationTests.Input(5) })
        {
            var ours = new byte[ActivationQuantizer.QuantizedBytesQ8_K(x.Length)];
            ours.AsSpan().Fill(0xCD);
            fixed (float* px = x)
            fixed (byte* py = ours)
            {
                for (int b = 0; b < x.Length / 256; b++)
                    ActivationQuantizer.QuantizeBlockQ8_KScalar(px + 256 * b, (BlockQ8_K*)py + b);
            }
            AssertSameBlocks(Theirs(ggml, x), ours);
        }
    }

    [Fact]
    public void GroupSumsAreTheSumsOfTheQuants()
    {
        var x = Input(9);
        var blocks = MemoryMarshal.Cast<byte, BlockQ8_K>(Ours(x));
        for (int b = 0; b < blocks.Length; b++)
        {
            for (int g = 0; g < 16; g++)
            {
                int sum = 0;
                for (int l = 0; l < 16; l++) sum += blocks[b].Qs[16 * g + l];
                Assert.Equal(sum, blocks[b].BSums[g]);
            }
        }
    }

    [Fact]
    public void SizesAndBoundsAreChecked()
    {
        Assert.Equal(292 * 16, ActivationQuantizer.QuantizedBytesQ8_K(4096));
        Assert.Equal(ActivationQuantizer.QuantizedBytesQ8_K(4096), GgmlTypeInfo.RowBytes(GgmlType.Q8_K, 4096));
        Assert.Throws<ArgumentException>(() => ActivationQuantizer.QuantizedBytesQ8_K(100));
        var ex = Assert.Throws<ArgumentException>(() => ActivationQuantizer.QuantizeQ8_K(new float[512], new byte[583]));
        Assert.Contains("584", ex.Message);
    }
}
