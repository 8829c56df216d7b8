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
}
