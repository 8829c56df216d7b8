using System.Runtime.InteropServices;
using LlamaGen.Gguf;
using LlamaGen.Quantization;

namespace LlamaGen.Models;

/// <summary>
/// Llama 3's RoPE frequency factors: the optional tensor <c>rope_freqs.weight</c>, F32 of <c>[head_dim / 2]</c>, one
/// factor per rotated pair, shared by every layer (llama.cpp reads it once, <c>TENSOR_DUPLICATED</c> for layers after the
/// first). llama.cpp's converter writes it for Llama 3.1/3.2 from <c>rope_scaling</c> (<c>llama3</c>: factor 8, low and
/// high frequency factors 1 and 4, original context 8192); ggml divides each pair's angle by its factor.
/// </summary>
public static class RopeFrequencyFactors
{
    /// <summary>The tensor's name in llama.cpp (<c>LLM_TENSOR_ROPE_FREQS</c>).</summary>
    public const string TensorName = "rope_freqs.weight";

    /// <summary>
    /// The factors of <paramref name="file"/>, or null when it has no <c>rope_freqs.weight</c> (Llama 2, Mistral, ...).
    /// Throws <see cref="ModelMismatchException"/> naming the file and the tensor when it is not F32 of
    /// <c>[<paramref name="headDimension"/> / 2]</c> or holds a factor that is not positive and finite.
    /// </summary>
    public static float[]? Read(GgufFile file, int headDimension)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(headDimension);
        if (!file.TryGetTensor(TensorName, out var tensor)) return null;
        int pairs = headDimension / 2;
        if (tensor.Dimensions.Length != 1 || tensor.Dimensions[0] != pairs)
            throw Mismatch(file, $"has shape {tensor.ShapeText}, expected [{pairs}] (one factor per rotated pair of the head dimension {headDimension})");
        if (tensor.Type != GgmlType.F32)
            throw Mismatch(file, $"has type {GgmlTypeInfo.Name(tensor.Type)}; RoPE frequency factors must be f32");
        float[] factors = MemoryMarshal.Cast<byte, float>(file.GetTensorBytes(tensor)).ToArray();
        for (int i = 0; i < factors.Length; i++)
            if (!(factors[i] > 0) || float.IsInfinity(factors[i]))
                throw Mismatch(file, $"holds {factors[i]} at index {i}; every factor must be a positive finite number");
        return factors;
    }

    private static ModelMismatchException Mismatch(GgufFile file, string problem) =>
        new(file.Path, TensorName, $"{file.Path}: tensor '{TensorName}' {problem}.");
}
