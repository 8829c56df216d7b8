using LlamaGen.Quantization;

namespace LlamaGen.Conversion;

/// <summary>
/// What the matrices of a synthetic model (<see cref="SyntheticModelWriter"/>) are made of: either one weight type for
/// every matrix (<c>q4_k</c>: every matrix Q4_K, to test one format alone), or one of llama.cpp's mixes (<c>q4_k_m</c>,
/// <c>q5_k_m</c>), whose per-tensor types are exactly those <c>llamagen quantize</c> would choose for an F32 file of the
/// same shapes (<see cref="QuantizationRecipe"/>, fallbacks for rows that are not a whole number of blocks included).
/// </summary>
/// <remarks>
/// Unlike <c>llamagen quantize</c>, where <c>q4_k</c> is llama-quantize's alias for <c>q4_k_m</c>, a synthetic
/// <c>q4_k</c> model is Q4_K throughout: the point of a synthetic model is to exercise one format.
/// </remarks>
public sealed class SyntheticModelType
{
    private SyntheticModelType(string name, GgmlType? uniform, LlamaFileType? mix, uint fileType)
    {
        Name = name;
        UniformType = uniform;
        Mix = mix;
        FileType = fileType;
    }

    /// <summary>The name <c>llamagen synth --type</c> takes: <c>f32</c>, <c>q4_k</c>, <c>q4_k_m</c>, ...</summary>
    public string Name { get; }

    /// <summary>The type of every matrix, or null for a mix.</summary>
    public GgmlType? UniformType { get; }

    /// <summary>The llama.cpp file type whose recipe chooses the per-tensor types, or null for a uniform type.</summary>
    public LlamaFileType? Mix { get; }

    /// <summary>
    /// llama.cpp's <c>llama_ftype</c> recorded as <c>general.file_type</c> (informational in llama.cpp). For the K types,
    /// which have no "all of one type" file type, the _S variant, the closest one.
    /// </summary>
    public uint FileType { get; }

    /// <summary>Every synthetic model type, the uniform ones first in <see cref="SyntheticModelWriter.SupportedTypes"/> order.</summary>
    public static IReadOnlyList<SyntheticModelType> All { get; } =
    [
        new("f32", GgmlType.F32, null, 0),          // LLAMA_FTYPE_ALL_F32
        new("f16", GgmlType.F16, null, 1),          // LLAMA_FTYPE_MOSTLY_F16
        new("bf16", GgmlType.BF16, null, 32),       // LLAMA_FTYPE_MOSTLY_BF16
        new("q8_0", GgmlType.Q8_0, null, 7),        // LLAMA_FTYPE_MOSTLY_Q8_0
        new("q4_0", GgmlType.Q4_0, null, 2),        // LLAMA_FTYPE_MOSTLY_Q4_0
        new("q4_1", GgmlType.Q4_1, null, 3),        // LLAMA_FTYPE_MOSTLY_Q4_1
        new("q5_0", GgmlType.Q5_0, null, 8),        // LLAMA_FTYPE_MOSTLY_Q5_0
        new("q5_1", GgmlType.Q5_1, null, 9),        // LLAMA_FTYPE_MOSTLY_Q5_1
        new("q2_k", GgmlType.Q2_K, null, 10),       // LLAMA_FTYPE_MOSTLY_Q2_K
        new("q3_k", GgmlType.Q3_K, null, 11),       // LLAMA_FTYPE_MOSTLY_Q3_K_S
        new("q4_k", GgmlType.Q4_K, null, 14),       // LLAMA_FTYPE_MOSTLY_Q4_K_S
        new("q5_k", GgmlType.Q5_K, null, 16),       // LLAMA_FTYPE_MOSTLY_Q5_K_S
        new("q6_k", GgmlType.Q6_K, null, 18),       // LLAMA_FTYPE_MOSTLY_Q6_K
        new("q4_k_m", null, LlamaFileType.MostlyQ4_K_M, (uint)LlamaFileType.MostlyQ4_K_M),
        new("q5_k_m", null, LlamaFileType.MostlyQ5_K_M, (uint)LlamaFileType.MostlyQ5_K_M),
    ];

    /// <summary>The names of <see cref="All"/>, for help texts and error messages.</summary>
    public static IReadOnlyList<string> Names { get; } = All.Select(t => t.Name).ToArray();

    /// <summary>Parses a name of <see cref="Names"/> (case-insensitive).</summary>
    public static bool TryParse(string name, out SyntheticModelType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        type = All.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.OrdinalIgnoreCase))!;
        return type is not null;
    }

    /// <summary>The synthetic type whose every matrix is <paramref name="type"/>.</summary>
    /// <exception cref="ArgumentException">No synthetic model can have <paramref name="type"/> weights.</exception>
    public static SyntheticModelType Of(GgmlType type) =>
        All.FirstOrDefault(t => t.UniformType == type)
        ?? throw new ArgumentException(
            $"Synthetic models can have {string.Join(", ", Names)} weights, not {GgmlTypeInfo.Name(type)}.", nameof(type));

    /// <summary>The synthetic mix for <paramref name="fileType"/> (Q4_K_M or Q5_K_M).</summary>
    /// <exception cref="ArgumentException">No synthetic mix follows that file type's recipe.</exception>
    public static SyntheticModelType Of(LlamaFileType fileType) =>
        All.FirstOrDefault(t => t.Mix == fileType)
        ?? throw new ArgumentException(
            $"Synthetic models can have {string.Join(", ", Names)} weights, not the {fileType} mix.", nameof(fileType));

    /// <inheritdoc />
    public override string ToString() => Name;
}
