using LlamaGen.Inference;

namespace LlamaGen.Chat;

/// <summary>What one reply of a <see cref="ChatSession"/> cost and left.</summary>
/// <param name="PromptTokens">Tokens of the prompt the reply was generated from.</param>
/// <param name="CachedPromptTokens">Of those, the ones the session's KV cache already held (not evaluated again).</param>
/// <param name="GeneratedTokens">Tokens of the reply.</param>
/// <param name="Elapsed">From the request to the last token.</param>
/// <param name="ContextUsed">Positions the session's sequence holds afterwards.</param>
/// <param name="ContextLength">Positions it can hold.</param>
/// <param name="StopReason">Why the reply ended.</param>
/// <param name="DroppedMessages">Messages left out of the prompt so far (<see cref="ContextOverflowPolicy.DropOldestTurns"/>).</param>
/// <param name="ContextShifts">Context shifts this turn (<see cref="ContextOverflowPolicy.ShiftContext"/>).</param>
public sealed record ChatTurnStatistics(
    int PromptTokens, int CachedPromptTokens, int GeneratedTokens, TimeSpan Elapsed, int ContextUsed, int ContextLength,
    StopReason StopReason, int DroppedMessages, int ContextShifts)
{
    /// <summary>Prompt tokens the model evaluated this turn.</summary>
    public int EvaluatedPromptTokens => PromptTokens - CachedPromptTokens;

    /// <summary>Reply tokens per second over the whole turn.</summary>
    public double TokensPerSecond => Elapsed > TimeSpan.Zero ? GeneratedTokens / Elapsed.TotalSeconds : 0;
}
