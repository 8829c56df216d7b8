using System.Numerics.Tensors;

namespace LlamaGen.Inference;

/// <summary>
/// The vector operations of the forward pass besides the matrix products (llama2.c's <c>rmsnorm</c>, <c>softmax</c>,
/// SwiGLU, residual adds), on raw pointers into the model's native buffers. Lengths are the model's constants.
/// </summary>
public static unsafe class TensorOps
{
    /// <summary><c>destination = weight * x / sqrt(mean(x²) + epsilon)</c>. <paramref name="destination"/> may equal <paramref name="x"/>.</summary>
    public static void RmsNorm(float* destination, float* x, float* weight, int length, float epsilon)
    {
        var input = new ReadOnlySpan<float>(x, length);
        float sumOfSquares = TensorPrimitives.SumOfSquares(input);
        float scale = 1f / MathF.Sqrt(sumOfSquares / length + epsilon);
        var output = new Span<float>(destination, length);
        // run.c computes weight * (scale * x): scale first, then the weight, so rounding matches.
        TensorPrimitives.Multiply(input, scale, output);
        TensorPrimitives.Multiply(output, new ReadOnlySpan<float>(weight, length), output);
    }

    /// <summary>In-place softmax over <paramref name="length"/> values, subtracting the maximum first for stability.</summary>
    public static void Softmax(float* x, int length)
    {
        var values = new Span<float>(x, length);
        float max = TensorPrimitives.Max(values);
        float sum = 0f;
        for (int i = 0; i < length; i++)
        {
            float e = MathF.Exp(x[i] - max);
            x[i] = e;
            sum += e;
        }
        TensorPrimitives.Divide(values, sum, values);
    }

    /// <summary><c>gate[i] = SiLU(gate[i]) * up[i]</c> with <c>SiLU(v) = v / (1 + e^-v)</c> (SwiGLU).</summary>
    public static void SiluMultiply(float* gate, float* up, int length)
    {
        for (int i = 0; i < length; i++)
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

    /// <summary><c>destination[i] += scale * source[i]</c> (attention's weighted sum of values).</summary>
    public static void MultiplyAdd(float* destination, float* source, float scale, int length)
    {
        var output = new Span<float>(destination, length);
        TensorPrimitives.MultiplyAdd(new ReadOnlySpan<float>(source, length), scale, output, output);
    }

    /// <summary>The dot product of two vectors (attention scores).</summary>
    public static float Dot(float* a, float* b, int length) =>
        TensorPrimitives.Dot(new ReadOnlySpan<float>(a, length), new ReadOnlySpan<float>(b, length));

    public static void Clear(float* destination, int length) => new Span<float>(destination, length).Clear();
}
