using LlamaGen.Gguf;
using LlamaGen.TestModels;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;
using LlamaGen.Models;
using LlamaGen.Perplexity;
using LlamaGen.TestSupport;

namespace LlamaGen.Runtime.Tests.Inference;

/// <summary>
/// <see cref="PerplexityEvaluator"/> on the generated <see cref="Stories260K"/> model against
/// <see cref="ReferencePerplexity"/>: the scalar llama2.c port computing the same windows' negative log-likelihood
/// itself, token by token.
/// </summary>
public sealed class PerplexityEvaluatorTests(Stories260KGguf stories) : IClassFixture<Stories260KGguf>
{
    // The logits agree with the reference to ~1e-5 (Stories260KModelTests); through a log-softmax and a mean over
    // hundreds of tokens that moves the perplexity by ~1e-7 relative (measured: 8e-8 to 1e-7). Another rule is far
    // outside 1e-4: scoring every prediction instead of the second half moves it by 3.5%, another window length by 6%.
    private const double RelativeTolerance = 1e-4;

    private static readonly Lazy<ReferenceLlamaWeights> ReferenceWeights =
        new(() => ReferenceLlamaWeights.LoadLlama2C(ReferenceFixtures.Stories260KModel));

    public static TheoryData<int?, PerplexityScoring> Windowings => new()
    {
        { null, PerplexityScoring.SecondHalf }, // the text is 1091 tokens: two windows of the model's 512
        { 128, PerplexityScoring.SecondHalf },
        { 100, PerplexityScoring.All },
    };

    [Theory]
    [MemberData(nameof(Windowings))]
    public void MatchesTheReferenceForwardPass(int? contextLength, PerplexityScoring scoring)
    {
        string text = TinyStoryText.Text;
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var evaluator = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file));

        var result = evaluator.Evaluate(text, new PerplexityOptions { ContextLength = contextLength, Scoring = scoring });

        int[] tokens = Tok512.Tokenizer.Encode(text, addBos: true);
        int window = contextLength ?? Math.Min(512, tokens.Length);
        var expected = ReferencePerplexity.Compute(ReferenceWeights.Value, tokens, window, scoring == PerplexityScoring.SecondHalf);

        double relative = Math.Abs(result.Perplexity - expected.Perplexity) / expected.Perplexity;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"context {window}, {scoring}: ours {result.Perplexity:F6}, reference {expected.Perplexity:F6}, relative difference {relative:E2} " +
            $"({result.TokensScored} tokens in {result.Windows} windows)");
        Assert.True(relative < RelativeTolerance,
            $"perplexity {result.Perplexity:F6} differs from the reference's {expected.Perplexity:F6} by {relative:E2} relative (tolerance {RelativeTolerance:E0}).");
        Assert.Equal(expected.TokensScored, result.TokensScored);
        Assert.Equal(expected.Windows, result.Windows);
        Assert.Equal(tokens.Length, result.TextTokens);
        Assert.Equal(window, result.ContextLength);
        Assert.Equal(Math.Log(result.Perplexity), result.MeanNegativeLogLikelihood, 12);
        Assert.Equal(result.Windows * (window - 1), result.TokensEvaluated);
        Assert.True(result.StandardError > 0 && result.StandardError < result.Perplexity, $"standard error {result.StandardError}");
    }

    [Fact]
    public void TokenOverloadMatchesTheTextOverload()
    {
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        var evaluator = new PerplexityEvaluator(model, tokenizer);
        var options = new PerplexityOptions { ContextLength = 64 };

        var fromText = evaluator.Evaluate(TinyStoryText.Text, options);
        var fromTokens = evaluator.Evaluate(tokenizer.Encode(TinyStoryText.Text, addBos: true), options);

        Assert.Equal(fromText.Perplexity, fromTokens.Perplexity);
        Assert.Equal(fromText.TokensScored, fromTokens.TokensScored);
    }

    [Fact]
    public void TokenOutsideTheVocabularyIsNamed()
    {
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var evaluator = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => evaluator.Evaluate([1, 600, 3, 4]));
        Assert.Equal("tokens", error.ParamName);
        Assert.Contains("Token 1 is id 600", error.Message);
    }

    [Fact]
    public void NegativeLogLikelihoodStaysFiniteForLargeLogits()
    {
        // exp(1000) overflows float and double alike: only a max-subtracted log-softmax gives ln(n) here.
        var logits = new float[32000];
        Array.Fill(logits, 1000f);
        Assert.Equal(Math.Log(32000), PerplexityEvaluator.NegativeLogLikelihood(logits, 123), 9);
    }

    [Theory]
    [InlineData(513, "longer than")]
    [InlineData(2000, "longer than")]
    [InlineData(2, "scores no token")]
    [InlineData(0, "scores no token")]
    public void OutOfRangeContextLengthIsNamed(int contextLength, string message)
    {
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var evaluator = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file));

        var error = Assert.ThrowsAny<ArgumentException>(() => evaluator.Evaluate(TinyStoryText.Text, new PerplexityOptions { ContextLength = contextLength }));
        Assert.Equal(nameof(PerplexityOptions.ContextLength), error.ParamName);
        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void TextShorterThanTheWindowIsRejected()
    {
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var evaluator = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file));

        var tooShort = Assert.ThrowsAny<ArgumentException>(() => evaluator.Evaluate("Once upon a time", new PerplexityOptions { ContextLength = 100 }));
        Assert.Contains("shorter than one window of 100", tooShort.Message);

        // BOS alone: nothing to predict.
        var empty = Assert.ThrowsAny<ArgumentException>(() => evaluator.Evaluate(""));
        Assert.Equal("text", empty.ParamName);
    }

    [Fact]
    public void CancellationStopsTheEvaluation()
    {
        using var file = GgufFile.Open(stories.Path);
        using ILlamaModel model = Stories260K.Load(file);
        var evaluator = new PerplexityEvaluator(model, SentencePieceTokenizer.FromGguf(file));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => evaluator.Evaluate(TinyStoryText.Text, cancellationToken: cancelled.Token));
    }
}
