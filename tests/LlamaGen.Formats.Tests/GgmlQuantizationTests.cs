using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// Bit-exact comparison of our block layouts, reference quantizers and dequantizers with llama.cpp's own
/// (<c>libggml-base.so</c> from LLamaSharp.Backend.Cpu, called through function pointers), in both directions.
/// Runs against every build of the library this CPU can execute, since the builds may convert float16 differently.
/// </summary>
public unsafe class GgmlQuantizationTests
{
    private const int Elements = 32 * 64;

    /// <summary>The library builds shipped for linux-x64 that this CPU supports.</summary>
    public static TheoryData<string> Variants()
    {
        var data = new TheoryData<string>();
        foreach (var (name, supported) in new[] { ("noavx", true), ("avx", Avx.IsSupported), ("avx2", Avx2.IsSupported), ("avx512", Avx512F.IsSupported) })
            if (supported && File.Exists(Ggml.PathOf(name))) data.Add(name);
        return data;
    }

    [Fact]
    public void BlockLayoutsMatchGgml()
    {
        // ggml-common.h static_asserts: block_q8_0 = sizeof(ggml_half) + QK8_0, block_q4_0 = sizeof(ggml_half) + QK4_0 / 2.
        Assert.Equal(2 + 32, Unsafe.SizeOf<BlockQ8_0>());
        Assert.Equal(2 + 16, Unsafe.SizeOf<BlockQ4_0>());
        Assert.Equal(Unsafe.SizeOf<BlockQ8_0>(), Marshal.SizeOf<BlockQ8_0>());
        Assert.Equal(Unsafe.SizeOf<BlockQ4_0>(), Marshal.SizeOf<BlockQ4_0>());
        Assert.Equal(GgmlTypeInfo.BlockBytes(GgmlType.Q8_0), Unsafe.SizeOf<BlockQ8_0>());
        Assert.Equal(GgmlTypeInfo.BlockBytes(GgmlType.Q4_0), Unsafe.SizeOf<BlockQ4_0>());
        Assert.Equal(0, (int)Marshal.OffsetOf<BlockQ8_0>(nameof(BlockQ8_0.D)));
        Assert.Equal(2, (int)Marshal.OffsetOf<BlockQ8_0>(nameof(BlockQ8_0.Qs)));
        Assert.Equal(2, (int)Marshal.OffsetOf<BlockQ4_0>(nameof(BlockQ4_0.Qs)));
    }

    /// <summary>Inputs that exercise the quantizers' edge cases: wide and narrow ranges, exact rounding ties, zeros, subnormals, float16 overflow.</summary>
    public static float[] Input(int seed)
    {
        var random = new Random(seed);
        var x = new float[Elements];
        for (int block = 0; block < Elements / 32; block++)
        {
            var span = x.AsSpan(block * 32, 32);
            int kind = block % 8;
            for (int j = 0; j < 32; j++)
            {
                span[j] = kind switch
                {
                    0 => (float)(random.NextDouble() * 2 - 1),
                    1 => (float)((random.NextDouble() * 2 - 1) * Math.Pow(10, random.Next(-8, 5))),
                    2 => 0f,
                    3 => j == 0 ? 127f : random.Next(-127, 127) + 0.5f, // d = 1, so x * id lands exactly on .5: ties for roundf
                    4 => (float)(random.NextDouble() * 1e-40),           // subnormal floats, d underflows float16
                    5 => (float)((random.NextDouble() * 2 - 1) * 1e7),   // d beyond float16's range
                    6 => j == 5 ? -3f : (float)(random.NextDouble() * 2 - 1), // negative extreme
                    _ => random.Next(-8, 8) * 0.25f,                     // values exactly on the q4_0 grid
                };
            }
        }
        return x;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeRowQ8_0MatchesGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var x = Input(seed);
            var ours = new BlockQ8_0[Elements / 32];
            var theirs = new BlockQ8_0[Elements / 32];
            ReferenceQuantization.QuantizeRowQ8_0(x, ours);
            fixed (float* px = x)
            fixed (BlockQ8_0* py = theirs)
                ggml.QuantizeRowQ8_0Ref(px, py, Elements);
            AssertSameBytes(theirs, ours, 34);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeRowQ4_0MatchesGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        foreach (int seed in new[] { 1, 2, 3 })
        {
            var x = Input(seed);
            var ours = new BlockQ4_0[Elements / 32];
            var theirs = new BlockQ4_0[Elements / 32];
            ReferenceQuantization.QuantizeRowQ4_0(x, ours);
            fixed (float* px = x)
            fixed (BlockQ4_0* py = theirs)
                ggml.QuantizeRowQ4_0Ref(px, py, Elements);
            AssertSameBytes(theirs, ours, 18);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void DequantizeMatchesGgmlForEveryFormat(string variant)
    {
        var ggml = Ggml.Load(variant);
        var random = new Random(7);
        foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16, GgmlType.BF16 })
        {
            // Random bytes cover every quant and scale bit pattern; finite scales keep NaN payloads out of the comparison.
            var bytes = new byte[GgmlTypeInfo.RowBytes(type, Elements)];
            random.NextBytes(bytes);
            MakeHalvesFinite(type, bytes);

            var ours = new float[Elements];
            var theirs = new float[Elements];
            Dequantization.Row(type, bytes, ours);
            fixed (byte* src = bytes)
            fixed (float* dst = theirs)
            {
                switch (type)
                {
                    case GgmlType.Q8_0: ggml.DequantizeRowQ8_0(src, dst, Elements); break;
                    case GgmlType.Q4_0: ggml.DequantizeRowQ4_0(src, dst, Elements); break;
                    case GgmlType.F16: ggml.Fp16ToFp32Row(src, dst, Elements); break;
                    case GgmlType.BF16: ggml.Bf16ToFp32Row(src, dst, Elements); break;
                }
            }
            for (int i = 0; i < Elements; i++)
                Assert.True(BitConverter.SingleToInt32Bits(theirs[i]) == BitConverter.SingleToInt32Bits(ours[i]),
                    $"{type} element {i}: ggml {theirs[i]:R}, ours {ours[i]:R}");
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void QuantizeThenDequantizeRoundTripsLikeGgml(string variant)
    {
        var ggml = Ggml.Load(variant);
        var x = Input(11);
        foreach (var type in new[] { GgmlType.Q8_0, GgmlType.Q4_0 })
        {
            var blocks = new byte[GgmlTypeInfo.RowBytes(type, Elements)];
            ReferenceQuantization.QuantizeRow(type, x, blocks);
            var ours = new float[Elements];
            Dequantization.Row(type, blocks, ours);
            var theirs = new float[Elements];
            fixed (byte* src = blocks)
            fixed (float* dst = theirs)
            {
                if (type == GgmlType.Q8_0) ggml.DequantizeRowQ8_0(src, dst, Elements);
                else ggml.DequantizeRowQ4_0(src, dst, Elements);
            }
            Assert.Equal(theirs.Select(BitConverter.SingleToInt32Bits), ours.Select(BitConverter.SingleToInt32Bits));
        }
    }

    /// <summary>Replaces float16 NaN/Inf scales (exponent all ones) so the check is about arithmetic, not NaN payloads.</summary>
    private static void MakeHalvesFinite(GgmlType type, byte[] bytes)
    {
        int stride = type switch { GgmlType.Q8_0 => 34, GgmlType.Q4_0 => 18, _ => 2 };
        if (type == GgmlType.BF16) return; // bf16 → f32 is a shift; NaNs come through bit for bit
        for (int at = 0; at < bytes.Length; at += stride)
            if ((bytes[at + 1] & 0x7C) == 0x7C) bytes[at + 1] &= 0xBF; // clear one exponent bit
    }

    private static void AssertSameBytes<T>(T[] expected, T[] actual, int blockBytes) where T : unmanaged
    {
        var e = MemoryMarshal.AsBytes(expected.AsSpan());
        var a = MemoryMarshal.AsBytes(actual.AsSpan());
        for (int i = 0; i < e.Length; i++)
            Assert.True(e[i] == a[i], $"block {i / blockBytes} byte {i % blockBytes}: ggml {e[i]:x2}, ours {a[i]:x2}");
    }
}
