namespace LlamaGen.Perplexity;

/// <summary>The outcome of <see cref="PerplexityEvaluator"/>: exp of the mean negative log-likelihood of the scored tokens.</summary>
/// <param name="Perplexity">exp(<paramref name="MeanNegativeLogLikelihood"/>).</param>
/// <param name="MeanNegativeLogLikelihood">Mean of -ln p(token | the tokens before it in its window), in nats.</param>
/// <param name="StandardError">
/// Standard error of the perplexity, as llama.cpp prints it after <c>+/-</c>: the standard error of the mean NLL
/// (sample standard deviation / sqrt(count - 1)) times the perplexity. 0 when fewer than two tokens are scored.
/// </param>
/// <param name="TokensScored">Predictions that went into the mean.</param>
/// <param name="Windows">Windows evaluated, each from position 0 with a fresh context.</param>
/// <param name="ContextLength">Tokens per window, BOS included.</param>
/// <param name="TextTokens">The whole text's tokens (BOS included when added); tokens after the last whole window are not evaluated.</param>
/// <param name="TokensEvaluated">Forward passes run: per window, every position whose logits are needed or that feeds them.</param>
/// <param name="EvaluationTime">Time spent in the model and the log-softmax, not tokenizing.</param>
public sealed record PerplexityResult(
    double Perplexity,
    double MeanNegativeLogLikelihood,
    double StandardError,
    int TokensScored,
    int Windows,
    int ContextLength,
    PerplexityScoring Scoring,
    int TextTokens,
    int TokensEvaluated,
    TimeSpan EvaluationTime)
{
    /// <summary>Forward passes per second (<see cref="TokensEvaluated"/> / <see cref="EvaluationTime"/>).</summary>
    public double TokensPerSecond => EvaluationTime > TimeSpan.Zero ? TokensEvaluated / EvaluationTime.TotalSeconds : 0;
}
