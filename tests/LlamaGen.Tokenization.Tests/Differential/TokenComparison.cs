using LlamaGen.Tokenization.Tests.LlamaCpp;

namespace LlamaGen.Tokenization.Tests.Differential;

/// <summary>Every token of a vocabulary against llama.cpp: its piece with and without special tokens, its attributes
/// after llama.cpp's load-time corrections, its text, and whether it ends generation.</summary>
internal static class TokenComparison
{
    public static void AssertEveryTokenMatches(LlamaCppVocabulary oracle, Tokenizer tokenizer)
    {
        Assert.Equal(oracle.VocabSize, tokenizer.VocabSize);
        var failures = new List<string>();
        var endOfGeneration = new List<int>();
        for (int id = 0; id < tokenizer.VocabSize; id++)
        {
            foreach (bool special in (bool[])[false, true])
            {
                byte[] expected = oracle.TokenToPiece(id, special);
                if (!tokenizer.GetPieceBytes(id, special).SequenceEqual(expected))
                    failures.Add($"piece of {id} (special={special}): llama.cpp {Convert.ToHexString(expected)}, ours {Convert.ToHexString(tokenizer.GetPieceBytes(id, special))}");
            }
            int attributes = oracle.GetAttributes(id);
            if ((int)tokenizer.GetAttributes(id) != attributes)
                failures.Add($"attributes of {id} '{Tokenizer.Escape(tokenizer.GetTokenText(id))}': llama.cpp {(TokenAttributes)attributes}, ours {tokenizer.GetAttributes(id)}");
            if (oracle.GetText(id) != tokenizer.GetTokenText(id))
                failures.Add($"text of {id}: llama.cpp '{Tokenizer.Escape(oracle.GetText(id))}', ours '{Tokenizer.Escape(tokenizer.GetTokenText(id))}'");
            if (oracle.IsEndOfGeneration(id))
                endOfGeneration.Add(id);
            if (oracle.IsEndOfGeneration(id) != tokenizer.IsEndOfGeneration(id))
                failures.Add($"end of generation {id} '{Tokenizer.Escape(tokenizer.GetTokenText(id))}': llama.cpp {oracle.IsEndOfGeneration(id)}, ours {tokenizer.IsEndOfGeneration(id)}");
        }
        Assert.True(failures.Count == 0, $"{oracle.Path}: {failures.Count} differences:\n{string.Join("\n", failures.Take(30))}");
        Assert.Equal(endOfGeneration, tokenizer.EndOfGenerationIds);
    }
}
