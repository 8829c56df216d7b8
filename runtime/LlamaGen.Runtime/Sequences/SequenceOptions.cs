using LlamaGen.Compute;

namespace LlamaGen.Sequences;

/// <summary>How <c>ILlamaModel.CreateSequence</c> makes a sequence's KV cache.</summary>
public sealed record SequenceOptions
{
    public static SequenceOptions Default { get; } = new();

    /// <summary>Positions the sequence can hold; null: the model's context length. At most the model's.</summary>
    public int? ContextLength { get; init; }

    /// <summary>How the cache stores keys and values; null: the model's <c>ModelLoadOptions.KvCacheType</c>.</summary>
    public KvCacheType? KvCacheType { get; init; }
}
