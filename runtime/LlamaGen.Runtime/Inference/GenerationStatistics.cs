namespace LlamaGen.Inference;

/// <summary>
/// Counts and timings of a generation. Times cover the model and the sampler only, not the time the consumer spends
/// between tokens, so tokens per second measure the engine.
/// </summary>
/// <param name="PromptTokens">Tokens of the prompt, cached or evaluated.</param>
/// <param name="GeneratedTokens">Tokens sampled, not counting a final EOS/BOS.</param>
/// <param name="GenerationTime">Sampling every token plus the forward passes between them.</param>
public sealed record GenerationStatistics(int PromptTokens, int GeneratedTokens, TimeSpan PromptEvalTime, TimeSpan GenerationTime)
{
    /// <summary>Leading prompt tokens the sequence already held from an earlier run: not evaluated again.</summary>
    public int CachedPromptTokens { get; init; }

    /// <summary>Prompt tokens the model evaluated in this run.</summary>
    public int EvaluatedPromptTokens => PromptTokens - CachedPromptTokens;

    public double PromptTokensPerSecond => PerSecond(EvaluatedPromptTokens, PromptEvalTime);

    public double GenerationTokensPerSecond => PerSecond(GeneratedTokens, GenerationTime);

    private static double PerSecond(int count, TimeSpan time) =>
        time > TimeSpan.Zero ? count / time.TotalSeconds : 0;
}
