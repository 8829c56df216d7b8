namespace LlamaGen.Inference;

/// <summary>An <see cref="InferenceEngine"/>'s counters since it started, and its state now.</summary>
/// <param name="PromptTokens">Prompt tokens evaluated (cached prefixes not counted).</param>
/// <param name="GeneratedTokens">Tokens generated.</param>
/// <param name="PromptTime">Time of the steps that evaluated prompt tokens.</param>
/// <param name="GenerationTime">Time of the steps that only generated.</param>
/// <param name="Processing">Requests running now.</param>
/// <param name="Queued">Requests waiting now.</param>
/// <param name="Finished">Requests finished (completed, cancelled or failed).</param>
/// <param name="Rejected">Requests refused because the queue was full.</param>
/// <param name="KvCacheTokens">Positions held by the running requests' sequences.</param>
/// <param name="KvCacheCapacity">Positions those sequences can hold.</param>
/// <param name="Steps">Decode steps run.</param>
/// <param name="TokensDecoded">Tokens the model decoded (prompt and generated rows of every step).</param>
public sealed record EngineStatistics(
    long PromptTokens, long GeneratedTokens, TimeSpan PromptTime, TimeSpan GenerationTime,
    int Processing, int Queued, long Finished, long Rejected, long KvCacheTokens, long KvCacheCapacity, long Steps, long TokensDecoded);
