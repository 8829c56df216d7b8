namespace LlamaGen.Conversion;

/// <summary>
/// llama.cpp's <c>llama_ftype</c> (include/llama.h): what <c>general.file_type</c> records for a quantized model, and
/// which per-tensor recipe <see cref="QuantizationRecipe"/> applies. Only the types LlamaGen can write are listed;
/// the numbers are llama.cpp's.
/// </summary>
public enum LlamaFileType : uint
{
    AllF32 = 0,
    MostlyF16 = 1,
    MostlyQ4_0 = 2,
    MostlyQ4_1 = 3,
    MostlyQ8_0 = 7,
    MostlyQ5_0 = 8,
    MostlyQ5_1 = 9,
    MostlyQ2_K = 10,
    MostlyQ3_K_S = 11,
    MostlyQ3_K_M = 12,
    MostlyQ3_K_L = 13,
    MostlyQ4_K_S = 14,
    MostlyQ4_K_M = 15,
    MostlyQ5_K_S = 16,
    MostlyQ5_K_M = 17,
    MostlyQ6_K = 18,
}
