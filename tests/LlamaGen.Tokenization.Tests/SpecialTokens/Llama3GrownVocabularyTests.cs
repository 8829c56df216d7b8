using System.Text;
using LlamaGen.Conversion;
using LlamaGen.Gguf;
using LlamaGen.Models;
using LlamaGen.Tokenization.Tests.Differential;
using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.SpecialTokens;

/// <summary>
/// <see cref="Llama3StyleVocabulary"/> grown to Llama 3's 128256 tokens (the vocabulary <c>llamagen synth
/// --llama3-vocab</c> gives the synthetic Llama 3.2 1B and 3.1 8B): llama.cpp must load it as Llama 3's (BOS 128000,
/// EOS 128001, <c>&lt;|eot_id|&gt;</c> 128009 ending a generation), tokenize and detokenize as LlamaGen does, and never
/// produce a filler token.
/// </summary>
public sealed class Llama3GrownVocabularyTests : IDisposable
{
    private const int VocabSize = 128256;
    private readonly DirectoryInfo directory = Directory.CreateTempSubdirectory("llamagen-llama3-grown-");

    private string Write(int vocabSize, string? source = null)
    {
        string path = Path.Combine(directory.FullName, $"llama3-{vocabSize}.gguf");
        Llama3StyleVocabulary.Write(source ?? Fixtures.Vocabulary("gpt-2"), vocabSize, path);
        return path;
    }

    [Fact]
    public void GrownVocabularyHasLlama3sSpecialIdsAndTokenizesAsLlamaCpp()
    {
        string path = Write(VocabSize);
        using var oracle = LlamaCppVocabulary.Open(path);
        using var file = GgufFile.Open(path);
        var tokenizer = Tokenizer.FromGguf(file);

        Assert.Equal(VocabSize, oracle.VocabSize);
        Assert.Equal(VocabSize, tokenizer.VocabSize);
        Assert.Equal((128000, 128001), (oracle.BosId, oracle.EosId));
        Assert.Equal((oracle.BosId, oracle.EosId), (tokenizer.BosId, tokenizer.EosId));
        Assert.True(oracle.IsEndOfGeneration(128009), "llama.cpp: <|eot_id|> ends a generation");
        Assert.True(tokenizer.IsEndOfGeneration(128009));
        for (int id = 128000; id < VocabSize; id++)
            Assert.Equal(oracle.TokenToPiece(id, special: true), tokenizer.DecodeToUtf8([id], removeSpecial: false, unparseSpecial: true));
        Assert.Equal("<|reserved_special_token_247|>", Encoding.UTF8.GetString(oracle.TokenToPiece(VocabSize - 1, special: true)));

        var comparison = new OracleComparison(oracle, tokenizer);
        string[] specials =
        [
            "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n",
            "<|filler_60000|> is not a token", "<|reserved_special_token_100|><|reserved_special_token_247|><|python_tag|>",
            "<|eot_id|>", " <|eom_id|> ", "<|end_of_text|>x", "<|reserved_special_token_248|>",
        ];
        var fillers = new List<string>();
        foreach (byte[] input in BpeTestStrings.All(300, 11).Concat(specials.Select(Encoding.UTF8.GetBytes)))
        {
            comparison.Compare(input);
            foreach (bool parseSpecial in (bool[])[false, true])
            {
                int[] ids = oracle.Tokenize(input, addSpecial: true, parseSpecial);
                if (ids.Any(id => id >= 50257 && id < 128000))
                    fillers.Add(OracleComparison.Describe(input));
            }
        }
        string summary = comparison.Summary("Llama 3 style vocabulary grown to 128256");
        Assert.True(comparison.Differences == 0, summary);
        Assert.True(comparison.Inputs >= 300, summary);
        Assert.Empty(fillers);
    }

    [Fact]
    public void TooSmallASizeOrANonBpeSourceIsRefusedNamingTheFile()
    {
        string gpt2 = Fixtures.Vocabulary("gpt-2");
        var small = Assert.Throws<ModelMismatchException>(() => Write(50257 + 10));
        Assert.Contains(gpt2, small.Message);
        Assert.Contains("at least 50268", small.Message);

        string spm = Fixtures.Vocabulary("llama-spm");
        var notBpe = Assert.Throws<ModelMismatchException>(() => Write(VocabSize, spm));
        Assert.Contains(spm, notBpe.Message);
        Assert.Contains("\"llama\"", notBpe.Message);
    }

    public void Dispose()
    {
        try { directory.Delete(recursive: true); }
        catch (IOException) { }
    }
}
