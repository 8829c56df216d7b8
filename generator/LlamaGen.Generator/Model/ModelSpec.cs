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
    ImmutableEquatableArray<GgmlType> WeightTypes)
{
    public int HeadDimension => EmbeddingLength / HeadCount;

    public int KvDimension => HeadDimension * HeadCountKv;

    /// <summary>Query heads per KV head (grouped-query attention).</summary>
    public int GroupSize => HeadCount / HeadCountKv;
}
