using LlamaGen.Inference;
using LlamaGen.Sampling;
using LlamaGen.TestSupport.Reference;

namespace LlamaGen.Runtime.Tests.Inference;

public class TextGeneratorTests
{
    private static readonly GenerationOptions Greedy = new() { Sampling = SamplerOptions.Greedy, MaxNewTokens = 1000 };
    private const int Bos = 1, Eos = 2;

    private static int[] Ids(string text) => Tok512.Tokenizer.Encode(text, addBos: false);

    /// <summary>The model's script: after position p, the token at position p + 1 of BOS + story + EOS.</summary>
    private static ScriptedModel StoryModel(string story, int contextLength = 512) =>
        new([.. Ids(story), Eos], contextLength);

    [Fact]
    public void EmptyPromptStartsFromBosAtPositionZeroAndStopsAtEos()
    {
        const string story = "Once upon a time, there was a little cat.";
        var model = StoryModel(story);
        var generator = new TextGenerator(model, Tok512.Tokenizer);

        var result = generator.Generate("", Greedy);

        Assert.Equal([Bos], result.PromptTokens);
        Assert.Equal(Ids(story), result.GeneratedTokens);
        // llama2.c's loop: BOS at 0, then each generated token at the next position; EOS is never fed.
        Assert.Equal([(Bos, 0), .. Ids(story).Select((id, i) => (id, i + 1))], model.Fed);
        // One decode step per token: the one-token prompt, then each generated token.
        Assert.All(model.StepRows, rows => Assert.Equal(1, rows));
        Assert.Equal(StopReason.EndOfSequence, result.StopReason);
        // The first token after a lone BOS loses its leading space, as llama2.c prints it.
        Assert.Equal(story, result.Text);
    }

    [Fact]
    public void SamplingBosEndsTheRunLikeEos()
    {
        var model = new ScriptedModel([.. Ids("The dog ran"), Bos, .. Ids(" away")]);
        var run = new TextGenerator(model, Tok512.Tokenizer).Start("", Greedy);
        var tokens = run.ToList();

        Assert.Equal(StopReason.EndOfSequence, run.StopReason);
        Assert.Equal(Ids("The dog ran"), run.GeneratedTokens);
        Assert.True(tokens[^1].IsEndOfSequence);
        Assert.Equal(Bos, tokens[^1].Id);
        Assert.All(tokens[..^1], t => Assert.False(t.IsEndOfSequence));
        Assert.Equal("The dog ran", string.Concat(tokens.Select(t => t.Text)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    public void MaxNewTokensGeneratesExactlyThatManyAndDoesNotFeedTheLast(int max)
    {
        var model = StoryModel("One day, a big bird flew over the house and sang a song.");
        var result = new TextGenerator(model, Tok512.Tokenizer).Generate("", Greedy with { MaxNewTokens = max });

        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(max, result.GeneratedTokens.Count);
        Assert.Equal(max, model.Fed.Count); // BOS plus max - 1 generated tokens
        Assert.Equal(Tok512.Tokenizer.Decode(result.GeneratedTokens.ToArray()), result.Text);
    }

    [Fact]
    public void MaxNewTokensZeroEvaluatesThePromptOnly()
    {
        var model = StoryModel("Hi");
        var result = new TextGenerator(model, Tok512.Tokenizer).Generate("Tom", Greedy with { MaxNewTokens = 0 });
        Assert.Empty(result.GeneratedTokens);
        Assert.Equal("", result.Text);
        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(result.PromptTokens.Count, model.Fed.Count);
    }

    [Fact]
    public void ContextFullStopsCleanlyAfterTheTokenAtTheLastPosition()
    {
        const int context = 6;
        // A story longer than the context; the fake asserts every fed position is inside it.
        var model = StoryModel("Lily and Tom went to the park to play with a ball all day long.", context);
        var result = new TextGenerator(model, Tok512.Tokenizer).Generate("", Greedy);

        Assert.Equal(StopReason.ContextFull, result.StopReason);
        // Positions 1..context hold generated tokens; the one at `context` is sampled from the logits of
        // position context - 1 and never fed (llama2.c with steps = seq_len does the same).
        Assert.Equal(context, result.GeneratedTokens.Count);
        Assert.Equal(context, model.Fed.Count);
    }

    [Fact]
    public void PromptTokensAreFedThenGenerationContinuesWithItsSpacing()
    {
        string[] words = ["Once", " upon", " a", " time", ",", " there", " was", " a", " frog", "."];
        int[] all = Ids(string.Concat(words));
        int[] prompt = Ids("Once upon a time");
        Assert.Equal(prompt, all[..prompt.Length]);
        var model = new ScriptedModel([.. all, Eos]);

        var result = new TextGenerator(model, Tok512.Tokenizer).Generate("Once upon a time", Greedy);

        Assert.Equal([Bos, .. prompt], result.PromptTokens);
        Assert.Equal(all[prompt.Length..], result.GeneratedTokens);
        // The continuation keeps its leading space, exactly as decoding the whole sequence would give it.
        string whole = Tok512.Tokenizer.Decode([Bos, .. all]);
        string promptText = Tok512.Tokenizer.Decode([Bos, .. prompt]);
        Assert.Equal(whole[promptText.Length..], result.Text);
        Assert.Equal(", there was a frog.", result.Text);
    }

    [Fact]
    public void PromptLongerThanContextMinusOneIsRejectedNamingBothLengths()
    {
        const int context = 8;
        var generator = new TextGenerator(new ScriptedModel([], context), Tok512.Tokenizer);
        string longPrompt = "the cat sat on the mat and the dog ran";
        int promptLength = Tok512.Tokenizer.Encode(longPrompt, addBos: true).Length;
        Assert.True(promptLength > context - 1);

        var error = Assert.Throws<ArgumentException>(() => generator.Start(longPrompt, Greedy));
        Assert.Contains($"{promptLength} tokens", error.Message);
        Assert.Contains($"context length of {context}", error.Message);

        // Exactly context - 1 tokens still leaves room for one generated token.
        var fits = new TextGenerator(StoryModel("a b c d e f g h i j", context), Tok512.Tokenizer);
        int[] ids = Ids("a b c d e f");
        Assert.Equal(context - 2, ids.Length);
        var result = fits.Generate("a b c d e f", Greedy);
        Assert.Equal(context - 1, result.PromptTokens.Count);
        Assert.Equal(2, result.GeneratedTokens.Count); // positions 7 (fed) and 8 (context full)
    }

    [Fact]
    public void EmptyPromptWithoutBosIsRejected()
    {
        var generator = new TextGenerator(StoryModel("x"), Tok512.Tokenizer);
        var error = Assert.Throws<ArgumentException>(() => generator.Start("", Greedy with { AddBos = false }));
        Assert.Contains("empty", error.Message);
    }

    [Fact]
    public void StopStringSplitAcrossTokensStopsAndIsNotEmitted()
    {
        const string story = "Tom said hello. The End. More text here.";
        var model = StoryModel(story);
        var options = Greedy with { StopStrings = ["The End", "zzz"] };
        var run = new TextGenerator(model, Tok512.Tokenizer).Start("", options);
        var pieces = run.Select(t => t.Text).ToList();

        Assert.Equal(StopReason.StopString, run.StopReason);
        Assert.Equal("Tom said hello. ", string.Concat(pieces));
        Assert.DoesNotContain(pieces, p => p.Contains("The"));
    }

    [Fact]
    public void HeldBackTextIsReleasedWhenNoStopStringCompletes()
    {
        // "The" could begin "The End" and is held back, then released at EOS.
        const string story = "Sue saw The";
        var run = new TextGenerator(StoryModel(story), Tok512.Tokenizer).Start("", Greedy with { StopStrings = ["The End"] });
        var tokens = run.ToList();
        Assert.Equal(StopReason.EndOfSequence, run.StopReason);
        Assert.Equal(story, string.Concat(tokens.Select(t => t.Text)));
        Assert.EndsWith("The", tokens[^1].Text); // released with the final EOS
    }

    [Fact]
    public void CancellationStopsBetweenTokens()
    {
        var model = StoryModel("The sun was warm and the sky was blue and the grass was green.");
        using var cancellation = new CancellationTokenSource();
        var run = new TextGenerator(model, Tok512.Tokenizer).Start("", Greedy, cancellation.Token);
        int count = 0;
        foreach (var _ in run)
        {
            if (++count == 3)
                cancellation.Cancel();
        }
        Assert.Equal(StopReason.Cancelled, run.StopReason);
        Assert.Equal(3, run.GeneratedTokens.Count);
        Assert.Equal(3, model.Fed.Count); // BOS and two generated tokens; the third was not fed
    }

    [Fact]
    public void RunCanBeEnumeratedOnlyOnceAndReportsStatistics()
    {
        var run = new TextGenerator(StoryModel("A red ball."), Tok512.Tokenizer).Start("Hi", Greedy);
        int count = run.Count();
        Assert.Throws<InvalidOperationException>(() => run.GetEnumerator());

        var statistics = run.Statistics;
        Assert.Equal(run.PromptTokens.Count, statistics.PromptTokens);
        Assert.Equal(count - 1, statistics.GeneratedTokens); // the last element is EOS
        Assert.True(statistics.PromptEvalTime > TimeSpan.Zero);
        Assert.True(statistics.GenerationTime > TimeSpan.Zero);
        Assert.True(statistics.GenerationTokensPerSecond > 0);
    }

    [Fact]
    public void SameSeedGivesTheSameTextWhenSampling()
    {
        // A flat distribution over the first 300 tokens: the seed alone decides the text.
        var flat = new ScriptedModel(_ => 3, vocabSize: 512);
        var options = new GenerationOptions { MaxNewTokens = 20, Sampling = new SamplerOptions { Temperature = 50, Seed = 99 } };
        var generator = new TextGenerator(flat, Tok512.Tokenizer);
        var a = generator.Generate("", options);
        var b = new TextGenerator(new ScriptedModel(_ => 3), Tok512.Tokenizer).Generate("", options);
        Assert.Equal(a.GeneratedTokens, b.GeneratedTokens);
        Assert.Equal(99UL, a.Seed);
        Assert.NotEqual(Enumerable.Repeat(3, 20), a.GeneratedTokens);
    }

    [Fact]
    public void TokenizerAndModelVocabulariesMustAgree()
    {
        var error = Assert.Throws<ArgumentException>(() => new TextGenerator(new ScriptedModel(_ => 3, vocabSize: 32000), Tok512.Tokenizer));
        Assert.Contains("512", error.Message);
        Assert.Contains("32000", error.Message);
    }
}
