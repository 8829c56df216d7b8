using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// The seven fixture vocabularies as they are (their own pre-tokenizers, special and user-defined tokens, flags) against
/// llama.cpp: the generated inputs through every flag combination (see <see cref="OracleComparison"/>), every token's
/// piece with and without special tokens, every token's attributes after llama.cpp's load-time corrections, and the
/// end-of-generation set (<c>llama_vocab_is_eog</c> over every id).
/// </summary>
public sealed class FixtureDifferentialTests(ITestOutputHelper output)
{
    private const int Generated = 1000;
    private const int Seed = 7;

    public static TheoryData<string> Names => [.. Fixtures.VocabularyNames];

    [Theory]
    [MemberData(nameof(Names))]
    public void InputsMatchLlamaCpp(string name)
    {
        using var oracle = LlamaCppVocabulary.Open(Fixtures.Vocabulary(name));
        using var file = GgufFile.Open(Fixtures.Vocabulary(name));
        var tokenizer = Tokenizer.FromGguf(file);
        Assert.Equal(oracle.VocabSize, tokenizer.VocabSize);
        Assert.Equal((oracle.BosId, oracle.EosId, oracle.AddBos, oracle.AddEos), (tokenizer.BosId, tokenizer.EosId, tokenizer.AddBos, tokenizer.AddEos));

        var comparison = new OracleComparison(oracle, tokenizer);
        bool sentencePiece = tokenizer is SentencePieceTokenizer;
        foreach (byte[] input in BpeTestStrings.All(Generated, Seed))
        {
            // The SentencePiece tokenizer takes valid UTF-8 only (it refuses the rest; see its remarks).
            if (sentencePiece && !IsValidUtf8(input))
                continue;
            comparison.Compare(input);
        }
        string summary = comparison.Summary($"vocabulary {name}");
        output.WriteLine(summary);
        Assert.True(comparison.Differences == 0, summary);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryTokenMatchesLlamaCpp(string name)
    {
        using var oracle = LlamaCppVocabulary.Open(Fixtures.Vocabulary(name));
        using var file = GgufFile.Open(Fixtures.Vocabulary(name));
        var tokenizer = Tokenizer.FromGguf(file);
        TokenComparison.AssertEveryTokenMatches(oracle, tokenizer);
        output.WriteLine($"{name}: {tokenizer.VocabSize} tokens' pieces, attributes and texts equal llama.cpp's; end of generation: " +
            string.Join(", ", tokenizer.EndOfGenerationIds.Select(id => $"{id} '{tokenizer.GetTokenText(id)}'")));
    }

    private static bool IsValidUtf8(byte[] bytes)
    {
        try
        {
            _ = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
