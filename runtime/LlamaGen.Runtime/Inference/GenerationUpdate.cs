namespace LlamaGen.Inference;

/// <summary>
/// What an <see cref="InferenceEngine"/> reports for a request as it runs: each generated token with its text, and a last
/// update with <see cref="StopReason"/> and the counts.
/// </summary>
/// <param name="Token">The token sampled (for the last update, possibly the end-of-generation token, whose text is not shown).</param>
/// <param name="StopReason">Set on the last update only.</param>
/// <param name="PromptTokens">Tokens of the prompt (last update).</param>
/// <param name="CachedPromptTokens">Leading prompt tokens the sequence already held and were not evaluated again (last update).</param>
/// <param name="GeneratedTokens">Tokens generated, without an end-of-generation token (last update).</param>
/// <param name="SequenceLength">Positions the sequence holds at the end: the context used (last update).</param>
/// <param name="ContextShifts">How often the reply shifted the context (last update).</param>
public readonly record struct GenerationUpdate(
    GeneratedToken Token,
    StopReason? StopReason = null,
    int PromptTokens = 0,
    int CachedPromptTokens = 0,
    int GeneratedTokens = 0,
    int SequenceLength = 0,
    int ContextShifts = 0)
{
    public bool IsLast => StopReason is not null;

    /// <summary>Prompt tokens the model evaluated for this request (last update).</summary>
    public int EvaluatedPromptTokens => PromptTokens - CachedPromptTokens;
}
