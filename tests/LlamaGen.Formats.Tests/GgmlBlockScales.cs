using LlamaGen.Quantization;

namespace LlamaGen.Formats.Tests;

/// <summary>
/// Where each quantized block keeps its scale fields, transcribed from the <c>block_*</c> structs of ggml-common.h
/// (independently of the runtime's own table, which the validator tests check against this one).
/// </summary>
internal static class GgmlBlockScales
{
    /// <summary>Byte offsets of the float16 scale fields within one block, with ggml's field names.</summary>
    public static (int Offset, string Name)[] Float16Fields(GgmlType type) => type switch
    {
        GgmlType.Q4_0 or GgmlType.Q5_0 or GgmlType.Q8_0 => [(0, "d")],
        GgmlType.Q4_1 or GgmlType.Q5_1 => [(0, "d"), (2, "m")],
        GgmlType.Q8_1 => [(0, "d"), (2, "s")],
        GgmlType.Q2_K => [(16 + 64, "d"), (16 + 64 + 2, "dmin")],      // scales[16], qs[64], d, dmin
        GgmlType.Q3_K => [(32 + 64 + 12, "d")],                        // hmask[32], qs[64], scales[12], d
        GgmlType.Q4_K or GgmlType.Q5_K => [(0, "d"), (2, "dmin")],     // d, dmin, scales[12], ...
        GgmlType.Q6_K => [(128 + 64 + 16, "d")],                       // ql[128], qh[64], scales[16], d
        _ => [],                                                       // Q8_K: a float32 d at offset 0
    };

    /// <summary>The quantized types of GGUF weight files, plus Q8_1 and Q8_K.</summary>
    public static readonly GgmlType[] QuantizedTypes =
    [
        GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1, GgmlType.Q8_0, GgmlType.Q8_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.Q8_K,
    ];
}
