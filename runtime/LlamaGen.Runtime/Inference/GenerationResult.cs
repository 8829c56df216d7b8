namespace LlamaGen.Inference;

/// <summary>The outcome of <see cref="TextGenerator.Generate"/>.</summary>
/// <param name="GeneratedTokens">The sampled tokens, without a final EOS/BOS.</param>
/// <param name="Seed">The sampler's seed, to reproduce the run.</param>
public sealed record GenerationResult(
    string Text,
    IReadOnlyList<int> PromptTokens,
    IReadOnlyList<int> GeneratedTokens,
    StopReason StopReason,
    GenerationStatistics Statistics,
    ulong Seed);
