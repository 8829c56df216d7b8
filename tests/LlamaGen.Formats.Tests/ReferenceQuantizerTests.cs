using System.Runtime.Intrinsics.X86;
using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// Our Q4_1, Q5_0, Q5_1 and k-quant (Q2_K … Q6_K) reference quantizers against ggml's own
/// <c>quantize_row_*_ref</c> (libggml-base.so from LLamaSharp.Backend.Cpu): the bytes must be identical, for rows
/// built to reach every branch of ggml's scale searches, on every build of the library this CPU can run.
/// </summary>
public unsafe class ReferenceQuantizerTests
{
    /// <summary>Super-blocks per test row; each gets its own kind of data (see <see cref="Row"/>).</summary>
    private const int SuperBlocks = 48;
    private const int Elements = 256 * SuperBlocks;
    private const int Kinds = 16;

    public static TheoryData<string, GgmlType> Cases()
    {
        var data = new TheoryData<string, GgmlType>();
        foreach (var (variant, supported) in new[] { ("noavx", true), ("avx", Avx.IsSupported), ("avx2", Avx2.IsSupported), ("avx512", Avx512F.IsSupported) })
        {
            if (!supported || !File.Exists(Ggml.PathOf(variant))) continue;
            foreach (var type in new[] { GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K })
                data.Add(variant, type);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void QuantizeRowMatchesGgml(string variant, GgmlType type)
    {
        var ggml = Ggml.Load(variant);
        var quantize = type switch
        {
            GgmlType.Q4_1 => ggml.QuantizeRowQ4_1Ref,
            GgmlType.Q5_0 => ggml.QuantizeRowQ5_0Ref,
            GgmlType.Q5_1 => ggml.QuantizeRowQ5_1Ref,
            GgmlType.Q2_K => ggml.QuantizeRowQ2_KRef,
            GgmlType.Q3_K => ggml.QuantizeRowQ3_KRef,
            GgmlType.Q4_K => ggml.QuantizeRowQ4_KRef,
            GgmlType.Q5_K => ggml.QuantizeRowQ5_KRef,
            GgmlType.Q6_K => ggml.QuantizeRowQ6_KRef,
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        int blockSize = GgmlTypeInfo.BlockSize(type), blockBytes = GgmlTypeInfo.BlockBytes(type);
        foreach (int seed in new[] { 1, 2, 3, 4, 5 })
        {
            float[] x = Row(seed);
            var ours = new byte[GgmlTypeInfo.RowBytes(type, Elements)];
            var theirs = new byte[ours.Length];
            ReferenceQuantization.QuantizeRow(type, x, ours);
            fixed (float* px = x)
            fixed (byte* py = theirs)
                quantize(px, py, Elements);

            for (int i = 0; i < ours.Length; i++)
            {
                if (ours[i] == theirs[i]) continue;
                int block = i / blockBytes;
                int kind = block * blockSize / 256 % Kinds;
                Assert.Fail($"{GgmlTypeInfo.Name(type)} ({variant}), seed {seed}: block {block} (data kind {kind}) byte {i % blockBytes}: " +
                    $"ggml {theirs[i]:x2}, ours {ours[i]:x2}");
            }
        }
    }

    [Fact]
    public void RowsOfTheWrongLengthAreRejected()
    {
        var x = new float[256];
        Assert.Throws<ArgumentException>(() => KQuantization.QuantizeRowQ4_K(x.AsSpan(0, 128), new byte[144]));
        Assert.Throws<ArgumentException>(() => KQuantization.QuantizeRowQ6_K(x, new byte[209]));
        Assert.Throws<ArgumentException>(() => LegacyQuantization.QuantizeRowQ5_1(x.AsSpan(0, 48), new byte[48]));
    }

    /// <summary>
    /// A row whose 256-element super-blocks cycle through kinds of data that steer ggml's searches into different
    /// branches: all-zero and constant groups (the <c>max == min</c> and GROUP_MAX_EPS exits), one-signed groups (the
    /// clamped minimum), outliers, dynamic ranges from 1e-8 to 1e4, values beyond float16's range (infinite block
    /// scales), subnormals, values on exact quantization grids (rounding ties), and super-blocks whose 16-element
    /// groups differ wildly from one another (the 6-bit/4-bit scale quantization and the zero-scale skips).
    /// </summary>
    internal static float[] Row(int seed)
    {
        var random = new Random(seed);
        var x = new float[Elements];
        float Uniform() => (float)(random.NextDouble() * 2 - 1);
        for (int block = 0; block < SuperBlocks; block++)
        {
            var span = x.AsSpan(block * 256, 256);
            int kind = block % Kinds;
            float constant = Uniform() * 3;
            for (int j = 0; j < 256; j++)
            {
                span[j] = kind switch
                {
                    0 => Uniform(),
                    1 => Uniform() * (float)Math.Pow(10, random.Next(-8, 5)),                   // wide dynamic range
                    2 => 0f,
                    3 => constant,                                                               // constant row
                    4 => random.Next(64) == 0 ? Uniform() * 100 : Uniform() * 0.05f,            // a few outliers
                    5 => (float)(random.NextDouble() * 1e-40),                                   // subnormals
                    6 => (float)random.NextDouble() + 0.5f,                                      // positive only: min > 0
                    7 => -(float)random.NextDouble() - 0.25f,                                    // negative only
                    8 => Uniform() * 1e7f,                                                       // float16 scale overflow
                    9 => random.Next(-8, 8) * 0.25f,                                             // exact grid values: ties
                    10 => Uniform() * 1e-15f,                                                    // around GROUP_MAX_EPS
                    11 => (float)(random.NextDouble() * random.NextDouble()) * (j % 3 == 0 ? -1 : 1), // skewed
                    12 => (j / 16 % 4) switch                                                    // groups of very different scale
                    {
                        0 => 0f,
                        1 => Uniform() * 1e-3f,
                        2 => Uniform(),
                        _ => Uniform() * 50,
                    },
                    13 => j / 32 % 2 == 0 ? 0f : Uniform(),                                      // zero and non-zero sub-blocks
                    14 => j % 16 == 0 ? 1f : 1e-6f * Uniform(),                                  // one spike per group
                    _ => (float)Math.Round(Uniform() * 15) / 15 * 0.1f,                          // near the q4 grid
                };
            }
        }
        return x;
    }
}
