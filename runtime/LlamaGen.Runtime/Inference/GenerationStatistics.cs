namespace LlamaGen.Inference;

/// <summary>
/// Counts and timings of a generation. Times cover the model and the sampler only, not the time the consumer spends
/// between tokens, so tokens per second measure the engine.
/// </summary>
/// <param name="GeneratedTokens">Tokens sampled, not counting a final EOS/BOS.</param>
/// <param name="GenerationTime">Sampling every token plus the forward passes between them.</param>
public sealed record GenerationStatistics(int PromptTokens, int GeneratedTokens, TimeSpan PromptEvalTime, TimeSpan GenerationTime)
{
    public double PromptTokensPerSecond => PerSecond(PromptTokens, PromptEvalTime);

    public double GenerationTokensPerSecond => PerSecond(GeneratedTokens, GenerationTime);

    private static double PerSecond(int count, TimeSpan time) =>
        time > TimeSpan.Zero ? count / time.TotalSeconds : 0;
}
