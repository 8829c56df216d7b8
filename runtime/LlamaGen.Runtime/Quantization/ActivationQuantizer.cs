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

    /// <summary>Bytes per 32 values of the kernels' input (<see cref="QuantizeKernelInput"/>): 32 quants, a float scale, an int sum.</summary>
    public const int KernelInputBlockBytes = RepackedLayouts.Q8_0InputBlockBytes;

    /// <summary>Bytes of the kernels' input for <paramref name="count"/> values (a multiple of 32).</summary>
    public static int KernelInputBytes(int count)
    {
        CheckCount(count);
        return RepackedLayouts.Q8_0InputBytes(count);
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> floats to Q8_0 exactly as <see cref="QuantizeQ8_0(float*, byte*, int)"/> does and
    /// lays the result out for the interleaved kernels (<see cref="InterleavedLayout"/>): per block of 32 values, 40 bytes:
    /// the 32 signed quants, the block's float scale (the f16 scale, widened), and the int32 sum of its quants (for the
    /// kernels' unsigned-weight offset). A block's three parts sit together so a kernel reaches them from one offset
    /// whatever the row length. <paramref name="destination"/> holds <see cref="KernelInputBytes"/>. Quantizing into a
    /// 34-byte block first keeps one definition of the rounding.
    /// </summary>
    public static void QuantizeKernelInput(float* x, byte* destination, int count)
    {
        CheckCount(count);
        int blocks = count / BlockValues;
        byte* block = stackalloc byte[BlockBytes];
        for (int b = 0; b < blocks; b++)
        {
            if (Vector256.IsHardwareAccelerated) QuantizeBlockVector256(x + b * BlockValues, block);
            else QuantizeBlockScalar(x + b * BlockValues, block);
            byte* target = destination + b * KernelInputBlockBytes;
            var q = Vector256.Load((sbyte*)(block + 2));
            q.Store((sbyte*)target);
            *(float*)(target + BlockValues) = (float)*(Half*)block;
            (Vector256<short> lo, Vector256<short> hi) = Vector256.Widen(q);
            *(int*)(target + BlockValues + 4) = Vector256.Sum(lo + hi);
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

    /// <summary>Values per Q8_K block (ggml's <c>QK_K</c>), the activation format of the K-quant kernels.</summary>
    public const int Q8_KBlockValues = BlockQ8_K.Elements;

    /// <summary>Bytes per Q8_K block: a float32 scale, 256 signed bytes, 16 int16 group sums.</summary>
    public const int Q8_KBlockBytes = BlockQ8_K.Size;

    /// <summary>Bytes needed for <paramref name="count"/> values (a multiple of 256) quantized to Q8_K: one activation row.</summary>
    public static int QuantizedBytesQ8_K(int count)
    {
        CheckCountQ8_K(count);
        return count / Q8_KBlockValues * Q8_KBlockBytes;
    }

    /// <summary>Quantizes <paramref name="x"/> into Q8_K blocks in <paramref name="destination"/> (bounds-checked).</summary>
    public static void QuantizeQ8_K(ReadOnlySpan<float> x, Span<byte> destination)
    {
        int needed = QuantizedBytesQ8_K(x.Length);
        if (destination.Length < needed)
            throw new ArgumentException($"Q8_K destination holds {destination.Length} bytes; {x.Length} values need {needed}.", nameof(destination));
        fixed (float* source = x)
        fixed (byte* target = destination)
        {
            QuantizeQ8_K(source, target, x.Length);
        }
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> floats (a multiple of 256) at <paramref name="x"/> into <c>count / 256</c>
    /// Q8_K blocks of 292 bytes at <paramref name="destination"/>, bit for bit as ggml's <c>quantize_row_q8_K_ref</c>,
    /// which is also what every x86 build of ggml-cpu runs for Q8_K (its <c>quantize_row_q8_K</c> jumps straight to the
    /// reference). The caller guarantees both buffers' sizes.
    /// </summary>
    /// <remarks>
    /// Unlike Q8_0, the scale keeps the sign of the value of largest magnitude (the first one, on ties):
    /// <c>iscale = -127 / max</c>, <c>q = min(127, nearest_int(iscale * x))</c>, <c>d = 1 / iscale</c>, so the extreme
    /// maps to -127 and the others may reach +127 (never -128 in practice). <c>nearest_int</c> is ggml's float trick
    /// (add 1.5 * 2^23, keep the mantissa bits): round half to even, and defined garbage for NaN/infinities, which
    /// <see cref="NearestInt"/> reproduces. For an all-zero block ggml writes <c>d = 0</c> and zero quants but leaves the
    /// group sums unwritten; this writes zeros there too.
    /// </remarks>
    public static void QuantizeQ8_K(float* x, byte* destination, int count)
    {
        CheckCountQ8_K(count);
        var blocks = (BlockQ8_K*)destination;
        for (int b = 0; b < count / Q8_KBlockValues; b++)
        {
            if (Vector256.IsHardwareAccelerated) QuantizeBlockQ8_KVector256(x + b * Q8_KBlockValues, blocks + b);
            else QuantizeBlockQ8_KScalar(x + b * Q8_KBlockValues, blocks + b);
        }
    }

    /// <summary>
    /// Bytes of the K-quant kernels' input for <paramref name="count"/> values (a multiple of 256): the quants, a float
    /// scale per 256 values, an int32 sum per 16 (<see cref="QuantizeKernelInputQ8_K"/>).
    /// </summary>
    public static int KernelInputBytesQ8_K(int count)
    {
        CheckCountQ8_K(count);
        return RepackedLayouts.Q8_KInputBytes(count);
    }

    /// <summary>
    /// Quantizes <paramref name="count"/> floats to Q8_K exactly as <see cref="QuantizeQ8_K(float*, byte*, int)"/> does and
    /// lays the result out for the K-quant kernels (<see cref="KQuantInterleavedLayout"/>): for <c>S = count / 256</c>
    /// super-blocks, <c>count</c> signed quants, then <c>S</c> float scales, then <c>count / 16</c> int32 sums of 16
    /// quants (ggml's <c>bsums</c>, widened so the kernels broadcast them with one load). <paramref name="destination"/>
    /// holds <see cref="KernelInputBytesQ8_K"/>.
    /// </summary>
    public static void QuantizeKernelInputQ8_K(float* x, byte* destination, int count)
    {
        CheckCountQ8_K(count);
        int superBlocks = count / Q8_KBlockValues;
        sbyte* quants = (sbyte*)destination;
        float* scales = (float*)(destination + count);
        int* sums = (int*)(scales + superBlocks);
        BlockQ8_K block;
        for (int s = 0; s < superBlocks; s++)
        {
            if (Vector256.IsHardwareAccelerated) QuantizeBlockQ8_KVector256(x + s * Q8_KBlockValues, &block);
            else QuantizeBlockQ8_KScalar(x + s * Q8_KBlockValues, &block);
            scales[s] = block.D;
            new ReadOnlySpan<sbyte>(block.Qs, Q8_KBlockValues).CopyTo(new Span<sbyte>(quants + s * Q8_KBlockValues, Q8_KBlockValues));
            for (int g = 0; g < Q8_KBlockValues / 16; g++) sums[s * 16 + g] = block.BSums[g];
        }
    }

    /// <summary>The plain transcription of <c>quantize_row_q8_K_ref</c> for one block; the oracle of the vector version.</summary>
    internal static void QuantizeBlockQ8_KScalar(float* x, BlockQ8_K* block)
    {
        float max = 0f, amax = 0f;
        for (int j = 0; j < Q8_KBlockValues; j++)
        {
            float ax = MathF.Abs(x[j]);
            if (ax > amax) // false for NaN, so NaNs never become the extreme, as in C
            {
                amax = ax;
                max = x[j];
            }
        }

        if (amax == 0f)
        {
            block->D = 0f;
            new Span<byte>(block->Qs, Q8_KBlockValues).Clear();
            new Span<short>(block->BSums, Q8_KBlockValues / 16).Clear();
            return;
        }

        float iscale = -127f / max;
        for (int j = 0; j < Q8_KBlockValues; j++)
            block->Qs[j] = unchecked((sbyte)Math.Min(127, NearestInt(iscale * x[j]))); // C's int → int8_t keeps the low byte
        for (int group = 0; group < Q8_KBlockValues / 16; group++)
        {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += block->Qs[16 * group + l];
            block->BSums[group] = (short)sum;
        }
        block->D = 1f / iscale;
    }

    /// <summary>
    /// The same operations eight lanes at a time. The extreme is found as the largest magnitude and then its first
    /// occurrence, which is what C's strict <c>ax &gt; amax</c> scan keeps; blocks holding a NaN (which that scan skips
    /// but a vector maximum would not) take the scalar path.
    /// </summary>
    private static void QuantizeBlockQ8_KVector256(float* x, BlockQ8_K* block)
    {
        Vector256<float> amax8 = Vector256<float>.Zero, nan8 = Vector256<float>.Zero;
        for (int j = 0; j < Q8_KBlockValues; j += 8)
        {
            Vector256<float> v = Vector256.Load(x + j);
            amax8 = Vector256.Max(amax8, Vector256.Abs(v));
            nan8 |= ~Vector256.Equals(v, v);
        }
        if (nan8 != Vector256<float>.Zero)
        {
            QuantizeBlockQ8_KScalar(x, block);
            return;
        }
        Vector128<float> amax4 = Vector128.Max(amax8.GetLower(), amax8.GetUpper());
        float amax = MathF.Max(MathF.Max(amax4.GetElement(0), amax4.GetElement(1)), MathF.Max(amax4.GetElement(2), amax4.GetElement(3)));
        if (amax == 0f)
        {
            QuantizeBlockQ8_KScalar(x, block); // writes the all-zero block
            return;
        }
        int first = 0;
        while (MathF.Abs(x[first]) != amax) first++;

        float iscale = -127f / x[first];
        var scale = Vector256.Create(iscale);
        var magic = Vector256.Create(12582912f);
        var mantissa = Vector256.Create(0x007FFFFF);
        var bias = Vector256.Create(0x00400000);
        var limit = Vector256.Create(127);
        sbyte* qs = block->Qs;
        for (int j = 0; j < Q8_KBlockValues; j += 32)
        {
            Vector256<int> i0 = Vector256.Min(((Vector256.Load(x + j) * scale + magic).AsInt32() & mantissa) - bias, limit);
            Vector256<int> i1 = Vector256.Min(((Vector256.Load(x + j + 8) * scale + magic).AsInt32() & mantissa) - bias, limit);
            Vector256<int> i2 = Vector256.Min(((Vector256.Load(x + j + 16) * scale + magic).AsInt32() & mantissa) - bias, limit);
            Vector256<int> i3 = Vector256.Min(((Vector256.Load(x + j + 24) * scale + magic).AsInt32() & mantissa) - bias, limit);
            // Narrow truncates element-wise and keeps order: the low byte, as C's int → int8_t.
            Vector256.Narrow(Vector256.Narrow(i0, i1), Vector256.Narrow(i2, i3)).Store(qs + j);
        }
        for (int group = 0; group < Q8_KBlockValues / 16; group++)
        {
            var (low, high) = Vector128.Widen(Vector128.Load(qs + 16 * group));
            block->BSums[group] = Vector128.Sum(low + high);
        }
        block->D = 1f / iscale;
    }

    /// <summary>
    /// ggml's <c>nearest_int</c>: adding 12582912 (1.5 * 2^23) leaves the rounded integer (half to even) in the low
    /// mantissa bits for |x| &lt;= 4194303. Outside that range, and for NaN and infinities, the result is whatever the bits
    /// say; the quantizer only relies on this matching C.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static int NearestInt(float x)
    {
        int bits = BitConverter.SingleToInt32Bits(x + 12582912f);
        return (bits & 0x007FFFFF) - 0x00400000;
    }

    private static void CheckCountQ8_K(int count)
    {
        if (count < 0 || count % Q8_KBlockValues != 0)
            throw new ArgumentException($"Q8_K quantization needs a multiple of {Q8_KBlockValues} values, got {count}.", nameof(count));
    }

    private static void CheckCount(int count)
    {
        if (count < 0 || count % BlockValues != 0)
            throw new ArgumentException($"Q8_0 quantization needs a multiple of {BlockValues} values, got {count}.", nameof(count));
    }
}
