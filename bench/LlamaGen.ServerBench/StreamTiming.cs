namespace LlamaGen.ServerBench;

/// <summary>What one streamed request measured: when its first token came, the gaps after it, and how many tokens.</summary>
internal sealed record StreamTiming(TimeSpan TimeToFirstToken, IReadOnlyList<TimeSpan> Gaps, int Tokens, TimeSpan Total);
