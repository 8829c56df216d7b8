namespace LlamaGen.Perplexity;

/// <summary>How <see cref="PerplexityEvaluator"/> splits a text into windows and which predictions it scores.</summary>
public sealed record PerplexityOptions
{
    /// <summary>
    /// Tokens per window, BOS included. Null: the model's context length, or the whole text when it is shorter (one
    /// window). Must not exceed the model's context length nor the text's token count.
    /// </summary>
    public int? ContextLength { get; init; }

    /// <summary>Which predictions of a window count; the default follows llama.cpp's perplexity tool.</summary>
    public PerplexityScoring Scoring { get; init; } = PerplexityScoring.SecondHalf;

    /// <summary>Whether BOS starts every window; null follows the tokenizer (<c>tokenizer.ggml.add_bos_token</c>), as llama.cpp does.</summary>
    public bool? AddBos { get; init; }
}
