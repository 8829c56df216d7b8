using LlamaGen.Gguf;

namespace LlamaGen.Tokenization.Tests.Vocabularies;

/// <summary>
/// Every line of llama.cpp's vocabulary test files, id for id: the ids the original Hugging Face tokenizers give for
/// the 46 test strings (no BOS, special tokens not parsed), through <see cref="Tokenizer.FromGguf"/>.
/// </summary>
public sealed class VocabularyFixtureTests
{
    public static TheoryData<string> Names => [.. Fixtures.VocabularyNames];

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryOutLineIsReproduced(string name)
    {
        var test = VocabularyTestFile.Read(name);
        using var file = GgufFile.Open(Fixtures.Vocabulary(name));
        var tokenizer = Tokenizer.FromGguf(file);
        Assert.IsType(name is "llama-spm" or "phi-3" ? typeof(SentencePieceTokenizer) : typeof(BpeTokenizer), tokenizer);

        var failures = new List<string>();
        for (int i = 0; i < test.Inputs.Length; i++)
        {
            int[] actual = tokenizer.Encode(test.Inputs[i], addBos: false, parseSpecial: false);
            if (!actual.AsSpan().SequenceEqual(test.Expected[i]))
                failures.Add($"#{i} \"{Tokenizer.Escape(test.Inputs[i])}\": expected [{string.Join(' ', test.Expected[i])}], got [{string.Join(' ', actual)}]");
        }
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} of {test.Inputs.Length} lines differ:\n{string.Join("\n", failures)}");
        Assert.Equal(46, test.Inputs.Length);
    }
}
