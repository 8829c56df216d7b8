using LlamaGen.Generator.Helpers;
using LlamaGen.Generator.Shared;

namespace LlamaGen.Generator.Model;

/// <summary>
/// A validated model spec: the hyperparameters the generated class is specialized for. Value-equatable, so an
/// unchanged spec skips re-emission.
/// </summary>
internal sealed record ModelSpec(
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
    ImmutableEquatableArray<GgmlType> WeightTypes,
    int HeadDimension)
{
    /// <summary>Whether the spec states a head size other than embedding / heads (<c>attention.key_length</c>).</summary>
    public bool HasStatedHeadDimension => HeadDimension * HeadCount != EmbeddingLength;

    /// <summary>Width of the concatenated query heads: the rows of attn_q, the columns of attn_output.</summary>
    public int QueryDimension => HeadDimension * HeadCount;

    public int KvDimension => HeadDimension * HeadCountKv;

    /// <summary>Query heads per KV head (grouped-query attention).</summary>
    public int GroupSize => HeadCount / HeadCountKv;
}
