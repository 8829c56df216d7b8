using System.Globalization;
using LlamaGen.Gguf;

namespace LlamaGen.Models;

/// <summary>
/// A file's RoPE position scaling, as llama.cpp reads it: <c>llama.rope.scaling.type</c> (default <c>linear</c>) and
/// <c>llama.rope.scaling.factor</c> (or the older <c>llama.rope.scale_linear</c>). Linear scaling (position
/// interpolation, e.g. the 16K/32K Llama 2 fine-tunes with factor 4 or 8) multiplies every angle by 1 / factor, as
/// ggml's <c>rope_yarn</c> multiplies <c>theta</c> by <c>freq_scale</c> when <c>ext_factor</c> is 0. YaRN and other
/// schemes are refused naming the key, rather than run with the wrong angles.
/// </summary>
public static class RopeScaling
{
    public const string TypeKey = "llama.rope.scaling.type";
    public const string FactorKey = "llama.rope.scaling.factor";
    public const string LegacyFactorKey = "llama.rope.scale_linear";

    /// <summary>
    /// The factor every RoPE angle is multiplied by (llama.cpp's <c>rope_freq_scale_train</c>): 1 when the file does not
    /// scale. Throws <see cref="ModelMismatchException"/> for a scaling type LlamaGen does not implement and
    /// <see cref="GgufFormatException"/> for a factor that is not a positive number.
    /// </summary>
    public static float FrequencyScale(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        string type = "linear";
        if (file.ContainsKey(TypeKey) && !file.TryGetString(TypeKey, out type))
            throw file.ValueError(TypeKey, "is not a string");
        float factor = 0;
        string? factorKey = file.ContainsKey(FactorKey) ? FactorKey : file.ContainsKey(LegacyFactorKey) ? LegacyFactorKey : null;
        if (factorKey is not null)
        {
            if (!file.TryGetFloat32(factorKey, out factor))
                throw file.ValueError(factorKey, "is not a float32");
            // llama.cpp reads 0 as "no factor".
            if (factor < 0 || float.IsNaN(factor) || float.IsInfinity(factor))
                throw file.ValueError(factorKey, $"{factor.ToString("R", CultureInfo.InvariantCulture)} is not a positive number");
        }
        switch (type)
        {
            case "none":
                return 1f;
            case "linear":
                return factor == 0 ? 1f : 1f / factor;
            default:
                // llama.cpp knows "yarn" and "longrope" too; with no factor (or factor 1) they change nothing there either.
                if (factor is 0 or 1) return 1f;
                throw new ModelMismatchException(file.Path, null,
                    $"{file.Path}: {TypeKey} is \"{type}\" with factor {factor.ToString("R", CultureInfo.InvariantCulture)}; " +
                    "LlamaGen implements linear RoPE scaling only (and Llama 3's rope_freqs.weight), so this file would run with the wrong angles.");
        }
    }

    /// <summary>
    /// The table a model of the given shape uses for <paramref name="file"/>: <paramref name="unscaled"/> when the file has
    /// neither frequency factors (<see cref="RopeFrequencyFactors"/>) nor a position scale, otherwise one built for it.
    /// </summary>
    public static Compute.RopeTable TableFor(GgufFile file, Compute.RopeTable unscaled)
    {
        ArgumentNullException.ThrowIfNull(unscaled);
        float[]? factors = RopeFrequencyFactors.Read(file, unscaled.HeadDimension);
        float scale = FrequencyScale(file);
        return factors is null && scale == 1f
            ? unscaled
            : new Compute.RopeTable(unscaled.ContextLength, unscaled.HeadDimension, unscaled.FreqBase, factors, scale);
    }
}
