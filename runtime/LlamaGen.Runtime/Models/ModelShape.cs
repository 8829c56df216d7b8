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
    public int HeadDimension => EmbeddingLength / HeadCount;
    public int KvDimension => HeadDimension * HeadCountKv;
    public int GroupSize => HeadCount / HeadCountKv;
}
