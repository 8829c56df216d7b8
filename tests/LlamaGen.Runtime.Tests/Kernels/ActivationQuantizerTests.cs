using LlamaGen.Quantization;
using LlamaGen.TestSupport.Kernels;

namespace LlamaGen.Runtime.Tests.Kernels;

public sealed class ActivationQuantizerTests
{
    [Theory]
    [InlineData(32, 1)]
    [InlineData(4096, 2)]
    [InlineData(11008, 3)]
    public void MatchesLlamaCppX86Semantics(int count, int seed)
    {
        float[] x = MatVecReference.RandomActivation(count, new Random(seed));
        var actual = new byte[ActivationQuantizer.QuantizedBytes(count)];
        ActivationQuantizer.QuantizeQ8_0(x, actual);
        Assert.Equal(MatVecReference.QuantizeQ8_0(x), actual);
    }

    /// <summary>
    /// amax = 127 makes the multiplier exactly 1, so x.5 values are ties: llama.cpp's AVX path rounds them to
    /// even (2.5 -> 2, 3.5 -> 4, -2.5 -> -2), where its scalar reference (roundf) would give 3, 4, -3.
    /// </summary>
    [Fact]
    public void TiesRoundToEvenLikeTheAvxPath()
    {
        var x = new float[32];
        x[0] = 127f;
        x[1] = 2.5f;
        x[2] = 3.5f;
        x[3] = -2.5f;
        x[4] = -0.5f;
        var q = new byte[34];
        ActivationQuantizer.QuantizeQ8_0(x, q);
        Assert.Equal((Half)1f, MatVecReference.ReadHalf(q, 0));
        Assert.Equal(new sbyte[] { 127, 2, 4, -2, 0 }, q.AsSpan(2, 5).ToArray().Select(b => (sbyte)b));
    }

    [Fact]
    public void ZeroBlockHasZeroScaleAndQuants()
    {
        var q = new byte[34];
        q.AsSpan().Fill(0xAA);
        ActivationQuantizer.QuantizeQ8_0(new float[32], q);
        Assert.All(q, b => Assert.Equal(0, b));
    }

    [Fact]
    public void ValuesStayWithinPlusMinus127()
    {
        var random = new Random(5);
        float[] x = Enumerable.Range(0, 32 * 64).Select(_ => (float)(random.NextDouble() * 2 - 1) * 1e4f).ToArray();
        var q = new byte[ActivationQuantizer.QuantizedBytes(x.Length)];
        ActivationQuantizer.QuantizeQ8_0(x, q);
        for (int b = 0; b < 64; b++)
            for (int i = 0; i < 32; i++)
                Assert.InRange((sbyte)q[34 * b + 2 + i], -127, 127);
    }

    [Fact]
    public unsafe void VectorAndScalarBlocksAgree()
    {
        float[] x = MatVecReference.RandomActivation(32 * 16, new Random(9));
        var scalar = new byte[34 * 16];
        var vector = new byte[34 * 16];
        fixed (float* xp = x)
        fixed (byte* s = scalar)
        fixed (byte* v = vector)
        {
            for (int b = 0; b < 16; b++) ActivationQuantizer.QuantizeBlockScalar(xp + 32 * b, s + 34 * b);
            ActivationQuantizer.QuantizeQ8_0(xp, v, x.Length);
        }
        Assert.Equal(scalar, vector);
    }

    /// <summary>
    /// The kernels' input holds, per block, ggml's Q8_0 quants (from the reference quantizer, llama.cpp's x86 semantics),
    /// the block's f16 scale widened to float, and the sum of its quants: 40 bytes a block, in that order.
    /// </summary>
    [Theory]
    [InlineData(32, 4)]
    [InlineData(4096, 5)]
    public unsafe void KernelInputHoldsEachBlocksQuantsScaleAndSumTogether(int count, int seed)
    {
        float[] x = MatVecReference.RandomActivation(count, new Random(seed));
        byte[] ggml = MatVecReference.QuantizeQ8_0(x);
        var input = new byte[ActivationQuantizer.KernelInputBytes(count)];
        Assert.Equal(count / 32 * 40, input.Length);
        fixed (float* xp = x)
        fixed (byte* ip = input)
        {
            ActivationQuantizer.QuantizeKernelInput(xp, ip, count);
        }
        for (int b = 0; b < count / 32; b++)
        {
            ReadOnlySpan<byte> block = input.AsSpan(b * 40, 40);
            ReadOnlySpan<byte> reference = ggml.AsSpan(b * 34, 34);
            Assert.True(block[..32].SequenceEqual(reference[2..]), $"block {b}: quants");
            Assert.Equal((float)BitConverter.ToHalf(reference[..2]), BitConverter.ToSingle(block[32..36]));
            int sum = 0;
            foreach (byte q in reference[2..]) sum += (sbyte)q;
            Assert.Equal(sum, BitConverter.ToInt32(block[36..40]));
        }
    }

    [Fact]
    public void RejectsPartialBlocksAndShortDestinations()
    {
        var e = Assert.Throws<ArgumentException>(() => ActivationQuantizer.QuantizeQ8_0(new float[40], new byte[68]));
        Assert.Contains("40", e.Message);
        e = Assert.Throws<ArgumentException>(() => ActivationQuantizer.QuantizeQ8_0(new float[64], new byte[67]));
        Assert.Contains("67", e.Message);
    }
}
