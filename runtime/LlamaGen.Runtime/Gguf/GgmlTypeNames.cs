namespace LlamaGen.Gguf;

/// <summary>
/// Names of the ggml tensor types this runtime does not read, so that an error can say which format a file
/// uses (numbers from ggml.h <c>enum ggml_type</c>).
/// </summary>
internal static class GgmlTypeNames
{
    public static string Describe(uint type) => type switch
    {
        4 or 5 => " (q4_2/q4_3, removed from ggml)",
        16 => " (iq2_xxs)", 17 => " (iq2_xs)", 18 => " (iq3_xxs)", 19 => " (iq1_s)", 20 => " (iq4_nl)",
        21 => " (iq3_s)", 22 => " (iq2_s)", 23 => " (iq4_xs)", 24 => " (i8)", 25 => " (i16)", 26 => " (i32)",
        27 => " (i64)", 28 => " (f64)", 29 => " (iq1_m)", 34 => " (tq1_0)", 35 => " (tq2_0)", 39 => " (mxfp4)",
        _ => "",
    };
}
