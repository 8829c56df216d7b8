using System.Text;
using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// Every pre-tokenizer preset against llama.cpp: the GPT-2 vocabulary re-keyed to the preset (llama.cpp then tokenizes it
/// with that preset's rules, which makes it the oracle for every preset on one vocabulary), with
/// <c>tokenizer.ggml.add_bos_token</c> set so that add-special adds BOS, compared on 2,000+ inputs with zero differences
/// allowed (see <see cref="OracleComparison"/>).
/// </summary>
public sealed class PresetDifferentialTests(VocabularyRewriter files, ITestOutputHelper output) : IClassFixture<VocabularyRewriter>
{
    private const int Generated = 2000;
    private const int Seed = 20260515;

    public static TheoryData<string> Presets =>
        ["llama-bpe", "llama3", "gpt-2", "smollm", "starcoder", "refact", "mpt", "deepseek-llm", "deepseek-coder", "falcon", "default"];

    [Theory]
    [MemberData(nameof(Presets))]
    public void PresetMatchesLlamaCpp(string preset)
    {
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), preset, new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.pre"] = GgufValue.Of(preset),
            ["tokenizer.ggml.add_bos_token"] = GgufValue.Of(true),
        });
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Assert.IsType<BpeTokenizer>(Tokenizer.FromGguf(file));
        Assert.Equal(preset, tokenizer.PreTokenizer);
        Assert.True(oracle.AddBos);

        var comparison = new OracleComparison(oracle, tokenizer);
        foreach (byte[] input in BpeTestStrings.All(Generated, Seed))
            comparison.Compare(input);
        string summary = comparison.Summary($"preset {preset}");
        output.WriteLine(summary);
        Assert.True(comparison.Differences == 0, summary);
        Assert.True(comparison.Inputs >= 2000, summary);
    }

    [Theory]
    [InlineData("llama-bpe", true)]
    [InlineData("dbrx", false)]
    public void WordsThatAreTokensAreEmittedWholeByTheLlama3Presets(string preset, bool ignoresMerges)
    {
        // GPT-2's own tokens are all what merging their text gives, so ignore_merges changes nothing there. Renamed
        // tokens that no merge sequence reaches make the difference: llama-bpe emits them whole, dbrx (Llama 3's
        // regex without ignore_merges) merges their text as usual.
        string[] words = [" qzxv", "qzxvw", " hellohellohello", " 日本語の", "Ωμέγα", "𐐀𐐨"];
        string source = Fixtures.Vocabulary("gpt-2");
        string[] tokens;
        using (var original = GgufFile.Open(source))
            tokens = original.GetStringArray("tokenizer.ggml.tokens");
        int first = 50200;
        for (int i = 0; i < words.Length; i++)
            tokens[first + i] = string.Concat(Encoding.UTF8.GetBytes(words[i]).Select(b => ByteLevelAlphabet.ToChar(b)));
        string path = files.Write(source, "unreachable-" + preset, new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.pre"] = GgufValue.Of(preset),
            ["tokenizer.ggml.tokens"] = GgufValue.Of(tokens),
        });
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);

        for (int i = 0; i < words.Length; i++)
        {
            int[] ids = tokenizer.Encode(words[i], addBos: false);
            Assert.Equal(ignoresMerges, ids.SequenceEqual([first + i]));
        }
        var comparison = new OracleComparison(oracle, tokenizer);
        foreach (string word in words)
        {
            foreach (string input in (string[])[word, "x" + word, word + word, $"Hello{word} world{word}!", word.Trim()])
                comparison.Compare(Encoding.UTF8.GetBytes(input));
        }
        foreach (byte[] input in BpeTestStrings.All(300, 5))
            comparison.Compare(input);
        string summary = comparison.Summary($"{preset} with tokens no merge reaches");
        output.WriteLine(summary);
        Assert.True(comparison.Differences == 0, summary);
    }
}
