namespace LlamaGen.Conversion;

/// <summary>
/// The hyperparameters llama.cpp's per-tensor recipe looks at (<c>llama_tensor_get_type</c>): the architecture
/// (Falcon has its own rules), the layer count, the grouped-query factor and the expert count.
/// </summary>
/// <param name="Architecture"><c>general.architecture</c>, e.g. <c>llama</c>.</param>
/// <param name="BlockCount"><c>{arch}.block_count</c>: llama.cpp's <c>n_layer</c>.</param>
/// <param name="HeadCount"><c>{arch}.attention.head_count</c>.</param>
/// <param name="HeadCountKv"><c>{arch}.attention.head_count_kv</c> (equal to <paramref name="HeadCount"/> when absent).</param>
/// <param name="ExpertCount"><c>{arch}.expert_count</c>, 0 for dense models.</param>
public sealed record RecipeModel(string Architecture, int BlockCount, int HeadCount, int HeadCountKv, int ExpertCount = 0)
{
    /// <summary>llama.cpp's <c>hparams.n_gqa()</c>: query heads per key/value head (0 when unknown).</summary>
    public int GroupedQueryFactor => HeadCountKv > 0 ? HeadCount / HeadCountKv : 0;

    /// <summary>
    /// llama.cpp's LLM_TYPE_70B test (llama-model.cpp, LLM_ARCH_LLAMA: 80 layers with grouped-query attention), which
    /// gives attn_v more bits.
    /// </summary>
    public bool IsLlama70B => Architecture == "llama" && BlockCount == 80 && HeadCount != HeadCountKv;
}
