using System.Numerics.Tensors;

namespace LlamaGen.Rag.VectorData;

/// <summary>Unit-length copies of vectors, so a cosine is one dot product (TensorPrimitives, SIMD).</summary>
internal static class CosineVector
{
    /// <summary>Writes <paramref name="vector"/> scaled to length 1 into <paramref name="destination"/>; a zero vector stays zero (cosine 0 with everything).</summary>
    public static void Normalize(ReadOnlySpan<float> vector, Span<float> destination)
    {
        float norm = TensorPrimitives.Norm(vector);
        if (norm > 0 && float.IsFinite(norm))
            TensorPrimitives.Divide(vector, norm, destination);
        else
            destination[..vector.Length].Clear();
    }

    public static float[] Normalized(ReadOnlySpan<float> vector)
    {
        var result = new float[vector.Length];
        Normalize(vector, result);
        return result;
    }

    public static double Similarity(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => TensorPrimitives.CosineSimilarity(a, b) is var s && float.IsFinite(s) ? s : 0;
}
