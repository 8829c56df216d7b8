using System;

namespace LlamaGen.Generator.Model;

/// <summary>The ggml weight types a spec may name, and which of them have kernels.</summary>
internal static class WeightTypes
{
    /// <summary>Types with kernels, in the order specs usually list them.</summary>
    public static readonly string[] Supported =
    {
        "f32", "f16", "bf16", "q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_k", "q3_k", "q4_k", "q5_k", "q6_k",
    };

    /// <summary>Every type name ggml defines that LlamaGen knows of (see the runtime's <c>GgmlType</c>).</summary>
    public static readonly string[] Known =
    {
        "f32", "f16", "bf16", "q4_0", "q4_1", "q5_0", "q5_1", "q8_0", "q8_1",
        "q2_k", "q3_k", "q4_k", "q5_k", "q6_k", "q8_k",
    };

    public static bool IsSupported(string type) => Array.IndexOf(Supported, type) >= 0;

    public static bool IsKnown(string type) => Array.IndexOf(Known, type) >= 0;

    /// <summary>Elements per block: a row must be a whole number of blocks.</summary>
    public static int BlockSize(string type) => type is "f32" or "f16" or "bf16" ? 1 : type.EndsWith("_k", StringComparison.Ordinal) ? 256 : 32;

    /// <summary>
    /// The 32-element block types: multiplied against the activation quantized to Q8_0 blocks
    /// (<c>ActivationQuantizer.QuantizeKernelInput</c>), as llama.cpp pairs them with Q8_0/Q8_1.
    /// </summary>
    public static bool UsesQuantizedActivation(string type) => type is "q8_0" or "q4_0" or "q4_1" or "q5_0" or "q5_1";

    /// <summary>
    /// The K-quants (256-element super-blocks): multiplied against the activation quantized to Q8_K
    /// (<c>ActivationQuantizer.QuantizeKernelInputQ8_K</c>), as llama.cpp's <c>ggml_vec_dot_q*_K_q8_K</c> do.
    /// </summary>
    public static bool UsesQ8KActivation(string type) => type is "q2_k" or "q3_k" or "q4_k" or "q5_k" or "q6_k";

    /// <summary>The <c>GgmlType</c> member name: F32, F16, Q8_0, Q4_K, ...</summary>
    public static string EnumMember(string type) => type.ToUpperInvariant();
}
