// Shared source: compiled into the runtime and linked into the generator (see GgmlType.cs). netstandard2.0-safe C#.
#if LLAMAGEN_GENERATOR
namespace LlamaGen.Generator.Shared;
#else
namespace LlamaGen.Quantization;
#endif

/// <summary>
/// The block of each ggml type as a GGUF file stores it (ggml-common.h): how many elements one block holds and how many
/// bytes it takes. The one table the runtime's reader and the generator's kernels both use.
/// </summary>
internal static class GgmlBlocks
{
    /// <summary>Elements and bytes of one block of <paramref name="type"/>; (0, 0) for a type LlamaGen does not know.</summary>
    public static (int Elements, int Bytes) Of(GgmlType type) => type switch
    {
        GgmlType.F32 => (1, 4),
        GgmlType.F16 => (1, 2),
        GgmlType.BF16 => (1, 2),
        GgmlType.Q4_0 => (32, 2 + 16),
        GgmlType.Q4_1 => (32, 2 + 2 + 16),
        GgmlType.Q5_0 => (32, 2 + 4 + 16),
        GgmlType.Q5_1 => (32, 2 + 2 + 4 + 16),
        GgmlType.Q8_0 => (32, 2 + 32),
        GgmlType.Q8_1 => (32, 4 + 32),
        GgmlType.Q2_K => (256, 16 + 64 + 2 + 2),
        GgmlType.Q3_K => (256, 32 + 64 + 12 + 2),
        GgmlType.Q4_K => (256, 2 + 2 + 12 + 128),
        GgmlType.Q5_K => (256, 2 + 2 + 12 + 32 + 128),
        GgmlType.Q6_K => (256, 128 + 64 + 16 + 2),
        GgmlType.Q8_K => (256, 4 + 256 + 32),
        _ => (0, 0),
    };

    /// <summary>The types with matrix kernels, in the order specs usually list them.</summary>
    public static readonly GgmlType[] WithKernels =
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    };

    /// <summary>Every type, for name lookup (spec files and GGUF tensor tables use the lower-case names).</summary>
    public static readonly GgmlType[] All =
    {
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0,
        GgmlType.Q8_1, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    };

    /// <summary>The lower-case name ggml and spec files use: f32, q4_0, q6_k, ...</summary>
    public static string Name(GgmlType type) => type.ToString().ToLowerInvariant();

    /// <summary>The type named <paramref name="name"/> (any case), if LlamaGen knows it.</summary>
    public static bool TryParse(string name, out GgmlType type)
    {
        foreach (GgmlType candidate in All)
        {
            if (string.Equals(Name(candidate), name, System.StringComparison.OrdinalIgnoreCase))
            {
                type = candidate;
                return true;
            }
        }
        type = default;
        return false;
    }

    /// <summary>Whether the generator emits kernels for <paramref name="type"/>.</summary>
    public static bool HasKernels(GgmlType type) => System.Array.IndexOf(WithKernels, type) >= 0;

    /// <summary>Float weights (F32, F16, BF16): multiplied against the float activation.</summary>
    public static bool IsFloat(GgmlType type) => type is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16;

    /// <summary>
    /// The 32-element block types: repacked into <see cref="RepackedLayouts"/>' interleaved groups and multiplied against
    /// the activation quantized to Q8_0 blocks, as llama.cpp pairs them with Q8_0/Q8_1.
    /// </summary>
    public static bool IsLegacyQuant(GgmlType type) =>
        type is GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1 or GgmlType.Q8_0;

    /// <summary>The K-quants (256-element super-blocks): multiplied against the activation quantized to Q8_K.</summary>
    public static bool IsKQuant(GgmlType type) =>
        type is GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;
}
