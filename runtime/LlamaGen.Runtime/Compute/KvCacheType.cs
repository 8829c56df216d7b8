namespace LlamaGen.Compute;

/// <summary>How the KV cache stores keys and values.</summary>
public enum KvCacheType
{
    /// <summary>32-bit floats: exactly the values the projections produced (llama2.c's cache; the golden-output path).</summary>
    F32,

    /// <summary>
    /// IEEE half floats (round to nearest even on store, exact widening on read): half the memory, as llama.cpp's
    /// default <c>--cache-type-k/v f16</c>. Attention then sees keys and values rounded to 11 significant bits.
    /// </summary>
    F16,
}
