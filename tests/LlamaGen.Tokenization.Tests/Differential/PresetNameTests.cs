using LlamaGen.Gguf;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>
/// What the <c>tokenizer.ggml.pre</c> value itself decides, against llama.cpp: the defaults it implies when the file
/// has no <c>add_bos_token</c>, the aliases llama.cpp treats like a listed preset, the warning for a missing value, and
/// the error for a value we do not implement.
/// </summary>
public sealed class PresetNameTests(VocabularyRewriter files, ITestOutputHelper output) : IClassFixture<VocabularyRewriter>
{
    public static TheoryData<string> AllNames => [.. BpeTokenizer.PreTokenizerNames];

    [Theory]
    [MemberData(nameof(AllNames))]
    public void NameMatchesLlamaCppWithTheFileDefaults(string name)
    {
        // No add_bos_token: BOS follows the preset (true for the Llama 3 family), and clean-up follows it too. The
        // aliases get a smaller sample than the presets of PresetDifferentialTests.
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), "defaults-" + name, new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.pre"] = GgufValue.Of(name),
        });
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);
        Assert.Equal(oracle.AddBos, tokenizer.AddBos);
        Assert.Equal(oracle.AddEos, tokenizer.AddEos);

        var comparison = new OracleComparison(oracle, tokenizer);
        foreach (byte[] input in BpeTestStrings.All(200, StableSeed(name)))
            comparison.Compare(input);
        string summary = comparison.Summary($"pre-tokenizer \"{name}\" (add_bos {tokenizer.AddBos})");
        output.WriteLine(summary);
        Assert.True(comparison.Differences == 0, summary);
    }

    // string.GetHashCode is randomized per process; the inputs must not be.
    private static int StableSeed(string name) => name.Aggregate(17, (hash, c) => unchecked(hash * 31 + c));

    [Fact]
    public void MissingPreTokenizerIsTheDefaultWithLlamaCppsWarning()
    {
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), "no-pre", new Dictionary<string, GgufValue?> { ["tokenizer.ggml.pre"] = null });
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Assert.IsType<BpeTokenizer>(Tokenizer.FromGguf(file));
        Assert.Equal("default", tokenizer.PreTokenizer);
        Assert.Contains("missing pre-tokenizer type, using: 'default'", oracle.LoadLog);
        Assert.Contains("GENERATION QUALITY WILL BE DEGRADED!", oracle.LoadLog);
        Assert.Contains("missing pre-tokenizer type, using: 'default'", tokenizer.Warnings);
        Assert.Contains("GENERATION QUALITY WILL BE DEGRADED!", tokenizer.Warnings);
        Assert.All(tokenizer.Warnings, warning => Assert.Contains(warning, oracle.LoadLog));

        var comparison = new OracleComparison(oracle, tokenizer);
        foreach (byte[] input in BpeTestStrings.All(300, 11))
            comparison.Compare(input);
        Assert.True(comparison.Differences == 0, comparison.Summary("no tokenizer.ggml.pre"));
    }

    [Fact]
    public void ListedPresetsHaveNoPreTokenizerWarning()
    {
        using var file = GgufFile.Open(Fixtures.Vocabulary("gpt-2"));
        Assert.DoesNotContain(Tokenizer.FromGguf(file).Warnings, w => w.Contains("pre-tokenizer"));
    }

    [Fact]
    public void UnknownPreTokenizerIsAnErrorNamingFileAndValue()
    {
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), "unknown-pre", new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.pre"] = GgufValue.Of("no-such-tokenizer"),
        });
        using var file = GgufFile.Open(path);
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(file));
        Assert.Contains(path, error.Message);
        Assert.Contains("tokenizer.ggml.pre", error.Message);
        Assert.Contains("\"no-such-tokenizer\"", error.Message);
        // llama.cpp refuses it as well.
        var refusal = Assert.Throws<InvalidOperationException>(() => LlamaCppVocabulary.Open(path));
        Assert.Contains("unknown pre-tokenizer type: 'no-such-tokenizer'", refusal.Message);
    }

    [Fact]
    public void UnknownTokenizerModelIsAnErrorNamingFileAndValue()
    {
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), "bert", new Dictionary<string, GgufValue?>
        {
            ["tokenizer.ggml.model"] = GgufValue.Of("bert"),
        });
        using var file = GgufFile.Open(path);
        var error = Assert.Throws<NotSupportedException>(() => Tokenizer.FromGguf(file));
        Assert.Contains(path, error.Message);
        Assert.Contains("tokenizer.ggml.model is \"bert\"", error.Message);
    }

    [Fact]
    public void MissingMergesIsAnErrorNamingTheKey()
    {
        string path = files.Write(Fixtures.Vocabulary("gpt-2"), "no-merges", new Dictionary<string, GgufValue?> { ["tokenizer.ggml.merges"] = null });
        using var file = GgufFile.Open(path);
        var error = Assert.Throws<InvalidDataException>(() => Tokenizer.FromGguf(file));
        Assert.Contains("tokenizer.ggml.merges", error.Message);
        Assert.Contains(path, error.Message);
    }
}
