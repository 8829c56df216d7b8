namespace LlamaGen.Perplexity;

/// <summary>Which predictions of a window <see cref="PerplexityEvaluator"/> scores.</summary>
public enum PerplexityScoring
{
    /// <summary>
    /// llama.cpp's <c>llama-perplexity</c>: in a window of N tokens only the predictions of tokens N/2+1 .. N-1
    /// (N - 1 - N/2 of them) count, so every scored token sees at least half a window of context. The number then
    /// hardly depends on where the windows happen to start.
    /// </summary>
    SecondHalf,

    /// <summary>
    /// Every prediction of a window counts: tokens 1 .. N-1 (N - 1 of them), including the first ones, which are
    /// predicted from BOS and a few tokens only. Gives a higher perplexity that depends on the window length.
    /// </summary>
    All,
}
