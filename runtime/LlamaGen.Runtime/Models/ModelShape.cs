using LlamaGen.Quantization;

namespace LlamaGen.Models;

/// <summary>
/// The hyperparameters of a Llama-architecture model, named after the GGUF <c>llama.*</c> keys.
/// Generated models expose theirs as <c>Shape</c>; the runtime compares it with a GGUF file.
/// </summary>
public sealed record ModelShape(
    string Name,
    int EmbeddingLength,
    int BlockCount,
    int HeadCount,
    int HeadCountKv,
    int FeedForwardLength,
    int VocabSize,
    int ContextLength,
    float RopeFreqBase,
    float RmsEpsilon,
    IReadOnlyList<GgmlType> WeightTypes)
{
    // 0 while the head size is embedding / heads, so a shape equals another whether or not its file stated that size.
    private readonly int headDimension;

    /// <summary>
    /// Dimensions per attention head: <see cref="EmbeddingLength"/> / <see cref="HeadCount"/> unless set (GGUF
    /// <c>llama.attention.key_length</c>, spec <c>attention.key_length</c>), as Mistral Nemo's 32 heads of 128 on a
    /// 5120-wide model.
    /// </summary>
    public int HeadDimension
    {
        get => headDimension != 0 ? headDimension : EmbeddingLength / HeadCount;
        init
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(value);
            headDimension = value * HeadCount == EmbeddingLength ? 0 : value;
        }
    }

    /// <summary>Width of the concatenated query heads: the rows of <c>attn_q</c>, the columns of <c>attn_output</c>.</summary>
    public int QueryDimension => HeadDimension * HeadCount;

    /// <summary>Whether the heads are not <see cref="EmbeddingLength"/> / <see cref="HeadCount"/> wide, so a spec or file states their size.</summary>
    public bool HasStatedHeadDimension => QueryDimension != EmbeddingLength;

    public int KvDimension => HeadDimension * HeadCountKv;
    public int GroupSize => HeadCount / HeadCountKv;
}
