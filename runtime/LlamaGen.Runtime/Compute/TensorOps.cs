using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LlamaGen.Compute;

/// <summary>
/// The vector operations of the forward pass besides the matrix products (llama2.c's <c>rmsnorm</c>, <c>softmax</c>,
/// SwiGLU, residual adds), on raw pointers into the model's native buffers. Lengths are the model's constants.
/// </summary>
/// <remarks>
/// Element-wise operations are written with <c>Vector512/256/128</c> so each output is one pass over memory and rounds
/// exactly as the scalar formula in its summary (products and sums in the same order, no fused multiply-add);
/// reductions (sums, dot products, maxima) use <see cref="TensorPrimitives"/>, whose lane-wise summation order differs
/// from a scalar loop by a few units in the last place.
/// </remarks>
public static unsafe class TensorOps
{
    /// <summary><c>destination = weight * x / sqrt(mean(x²) + epsilon)</c>. <paramref name="destination"/> may equal <paramref name="x"/>.</summary>
    public static void RmsNorm(float* destination, float* x, float* weight, int length, float epsilon)
    {
        float sumOfSquares = TensorPrimitives.SumOfSquares(new ReadOnlySpan<float>(x, length));
        float scale = 1f / MathF.Sqrt(sumOfSquares / length + epsilon);
        // run.c computes weight * (scale * x): scale first, then the weight, so rounding matches.
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            var s = Vector512.Create(scale);
            for (; i <= length - 16; i += 16) (Vector512.Load(weight + i) * (s * Vector512.Load(x + i))).Store(destination + i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i <= length - 8; i += 8) (Vector256.Load(weight + i) * (s * Vector256.Load(x + i))).Store(destination + i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale);
            for (; i <= length - 4; i += 4) (Vector128.Load(weight + i) * (s * Vector128.Load(x + i))).Store(destination + i);
        }
        for (; i < length; i++) destination[i] = weight[i] * (scale * x[i]);
    }

    /// <summary>In-place softmax over <paramref name="length"/> values, subtracting the maximum first for stability.</summary>
    public static void Softmax(float* x, int length)
    {
        var values = new Span<float>(x, length);
        float max = TensorPrimitives.Max(values);
        TensorPrimitives.Subtract(values, max, values);
        TensorPrimitives.Exp(values, values);
        float sum = TensorPrimitives.Sum(values);
        TensorPrimitives.Divide(values, sum, values);
    }

    /// <summary><c>gate[i] = SiLU(gate[i]) * up[i]</c> with <c>SiLU(v) = v * (1 / (1 + e^-v))</c> (SwiGLU), in that order.</summary>
    public static void SiluMultiply(float* gate, float* up, int length)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= length - 16; i += 16)
            {
                Vector512<float> v = Vector512.Load(gate + i);
                (v * (Vector512<float>.One / (Vector512<float>.One + Vector512.Exp(-v))) * Vector512.Load(up + i)).Store(gate + i);
            }
        }
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= length - 8; i += 8)
            {
                Vector256<float> v = Vector256.Load(gate + i);
                (v * (Vector256<float>.One / (Vector256<float>.One + Vector256.Exp(-v))) * Vector256.Load(up + i)).Store(gate + i);
            }
        }
        if (Vector128.IsHardwareAccelerated)
        {
            for (; i <= length - 4; i += 4)
            {
                Vector128<float> v = Vector128.Load(gate + i);
                (v * (Vector128<float>.One / (Vector128<float>.One + Vector128.Exp(-v))) * Vector128.Load(up + i)).Store(gate + i);
            }
        }
        for (; i < length; i++)
        {
            float v = gate[i];
            gate[i] = v * (1f / (1f + MathF.Exp(-v))) * up[i];
        }
    }

    /// <summary><c>destination[i] += source[i]</c> (residual connection).</summary>
    public static void Add(float* destination, float* source, int length)
    {
        var output = new Span<float>(destination, length);
        TensorPrimitives.Add(output, new ReadOnlySpan<float>(source, length), output);
    }

    /// <summary><c>destination[i] += scale * source[i]</c> (attention's weighted sum of values), a product then a sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void MultiplyAdd(float* destination, float* source, float scale, int length)
    {
        int i = 0;
        if (Vector512.IsHardwareAccelerated && length >= 16)
        {
            var s = Vector512.Create(scale);
            for (; i <= length - 16; i += 16) (Vector512.Load(destination + i) + Vector512.Load(source + i) * s).Store(destination + i);
        }
        if (Vector256.IsHardwareAccelerated)
        {
            var s = Vector256.Create(scale);
            for (; i <= length - 8; i += 8) (Vector256.Load(destination + i) + Vector256.Load(source + i) * s).Store(destination + i);
        }
        if (Vector128.IsHardwareAccelerated)
        {
            var s = Vector128.Create(scale);
            for (; i <= length - 4; i += 4) (Vector128.Load(destination + i) + Vector128.Load(source + i) * s).Store(destination + i);
        }
        for (; i < length; i++) destination[i] += source[i] * scale;
    }

    /// <summary>The dot product of two vectors (attention scores).</summary>
    public static float Dot(float* a, float* b, int length) =>
        TensorPrimitives.Dot(new ReadOnlySpan<float>(a, length), new ReadOnlySpan<float>(b, length));

    public static void Clear(float* destination, int length) => new Span<float>(destination, length).Clear();

    /// <summary>Copies <paramref name="length"/> floats (the last prompt token's hidden state into the decode buffer).</summary>
    public static void Copy(float* destination, float* source, int length) =>
        new ReadOnlySpan<float>(source, length).CopyTo(new Span<float>(destination, length));
}
