namespace LlamaGen.Rag.Chunking;

/// <summary>How passages are cut.</summary>
/// <param name="MaxTokens">Upper bound on a passage's tokens, counted by the model's tokenizer (a passage longer than that is never produced, except a single grapheme cluster that alone exceeds it).</param>
/// <param name="OverlapTokens">How many tokens of the end of a passage the next one repeats (whole sentences or words, never more than this).</param>
public sealed record ChunkerOptions(int MaxTokens = 128, int OverlapTokens = 24)
{
    public void Validate()
    {
        if (MaxTokens < 8)
            throw new ArgumentOutOfRangeException(nameof(MaxTokens), MaxTokens, "passage size must be at least 8 tokens");
        if (OverlapTokens < 0 || OverlapTokens >= MaxTokens / 2)
            throw new ArgumentOutOfRangeException(nameof(OverlapTokens), OverlapTokens, $"overlap must be between 0 and half the passage size ({MaxTokens / 2 - 1})");
    }
}
