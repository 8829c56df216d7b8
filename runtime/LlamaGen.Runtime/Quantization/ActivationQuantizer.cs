using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LlamaGen.Quantization;

/// <summary>
/// Quantizes an activation vector to Q8_0 blocks (f16 scale + 32 signed bytes), the input of the Q8_0 and Q4_0
/// matrix-vector kernels — llama.cpp's <c>vec_dot_type</c> for both.
/// </summary>
/// <remarks>
/// llama.cpp has two versions of <c>quantize_row_q8_0</c> that can disagree by one step on a value exactly halfway
/// between two integers: the reference (<c>quantize_row_q8_0_ref</c>: <c>id = 1/d</c>, <c>roundf</c>, halves away
/// from zero) and the x86 one in <c>ggml-cpu/arch/x86/quants.c</c>, compiled whenever <c>__AVX__</c> or
/// <c>__AVX2__</c> is defined (so in every AVX, AVX2 and AVX-512 build of the CPU backend, including those shipped
/// in LLamaSharp.Backend.Cpu): <c>d = amax / 127</c>, <c>id = amax != 0 ? 127 / amax : 0</c>, then
/// <c>_mm256_round_ps(x * id, _MM_ROUND_NEAREST)</c>, i.e. halves to even. The CPU backend's type traits use
/// the latter as <c>from_float</c> for Q8_0, so that is what llama.cpp runs on the machines we compare against,
/// and what this class reproduces bit for bit: same amax, same <c>127 / amax</c> multiplier, ties to even, and
/// the scale stored as <c>(Half)(amax / 127)</c> (round to nearest even, like F16C's <c>vcvtps2ph</c>).
/// Values therefore stay in [-127, 127]; the kernels rely on that (never -128) for the sign trick.
/// </remarks>
public static unsafe class ActivationQuantizer
{
    /// <summary>Values per Q8_0 block.</summary>
    public const int BlockValues = 32;

    /// <summary>Bytes per Q8_0 block: an f16 scale, then 32 signed bytes.</summary>
    public const int BlockBytes = 34;

    /// <summary>Bytes needed for <paramref name="count"/> quantized values.</summary>
    public static int QuantizedBytes(int count)
    {
        CheckCount(count);
        return count / BlockValues * BlockBytes;
    }

    /// <summary>Quantizes <paramref name="x"/> into <paramref name="destination"/> (bounds-checked).</summary>
    public static void QuantizeQ8_0(ReadOnlySpan<float> x, Span<byte> destination)
    {
        int needed = QuantizedBytes(x.Length);
        if (destination.Length < needed)
            throw new ArgumentException($"Q8_0 destination holds {destination.Length} bytes; {x.Length} values need {needed}.", nameof(destination));
        fixed (float* source = x)
        fixed (byte* target = destination)
        {
            QuantizeQ8_0(source, target, x.Length);
        }
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> floats (a multiple of 32) at <paramref name="x"/> into
    /// <c>count / 32</c> blocks of 34 bytes at <paramref name="dst"/>. The caller guarantees both buffers' sizes.
    /// </summary>
    public static void QuantizeQ8_0(float* x, byte* dst, int count)
    {
        CheckCount(count);
        int blocks = count / BlockValues;
        if (Vector256.IsHardwareAccelerated)
        {
            for (int b = 0; b < blocks; b++) QuantizeBlockVector256(x + b * BlockValues, dst + b * BlockBytes);
        }
        else
        {
            for (int b = 0; b < blocks; b++) QuantizeBlockScalar(x + b * BlockValues, dst + b * BlockBytes);
        }
    }

    /// <summary>The plain per-element version; the vector version computes the same IEEE operations.</summary>
    internal static void QuantizeBlockScalar(float* x, byte* block)
    {
        float amax = 0f;
        for (int i = 0; i < BlockValues; i++) amax = MathF.Max(amax, MathF.Abs(x[i]));
        float id = Scales(amax, block);
        sbyte* q = (sbyte*)(block + 2);
        for (int i = 0; i < BlockValues; i++) q[i] = (sbyte)(int)MathF.Round(x[i] * id, MidpointRounding.ToEven);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void QuantizeBlockVector256(float* x, byte* block)
    {
        Vector256<float> v0 = Vector256.Load(x), v1 = Vector256.Load(x + 8), v2 = Vector256.Load(x + 16), v3 = Vector256.Load(x + 24);
        Vector256<float> max8 = Vector256.Max(Vector256.Max(Vector256.Abs(v0), Vector256.Abs(v1)), Vector256.Max(Vector256.Abs(v2), Vector256.Abs(v3)));
        Vector128<float> max4 = Vector128.Max(max8.GetLower(), max8.GetUpper());
        float amax = MathF.Max(MathF.Max(max4.GetElement(0), max4.GetElement(1)), MathF.Max(max4.GetElement(2), max4.GetElement(3)));

        var id = Vector256.Create(Scales(amax, block));
        Vector256<int> i0 = Vector256.ConvertToInt32(Vector256.Round(v0 * id));
        Vector256<int> i1 = Vector256.ConvertToInt32(Vector256.Round(v1 * id));
        Vector256<int> i2 = Vector256.ConvertToInt32(Vector256.Round(v2 * id));
        Vector256<int> i3 = Vector256.ConvertToInt32(Vector256.Round(v3 * id));
        // |values| <= 127, so narrowing never truncates; the portable Narrow keeps element order.
        Vector256<sbyte> q = Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3));
        q.Store((sbyte*)(block + 2));
    }

    /// <summary>Stores the block's f16 scale and returns the multiplier, exactly as llama.cpp's x86 path.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Scales(float amax, byte* block)
    {
        *(Half*)block = (Half)(amax / 127f);
        return amax != 0f ? 127f / amax : 0f;
    }

    private static void CheckCount(int count)
    {
        if (count < 0 || count % BlockValues != 0)
            throw new ArgumentException($"Q8_0 quantization needs a multiple of {BlockValues} values, got {count}.", nameof(count));
    }
}
