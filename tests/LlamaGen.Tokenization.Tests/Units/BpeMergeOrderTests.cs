namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>The merge loop on hand-made vocabularies: rules apply by rank, equal ranks leftmost first, and
/// <c>ignore_merges</c> emits a word that is a token whole.</summary>
public sealed class BpeMergeOrderTests
{
    private static BpeTokenizer Tokenizer(string pre, string[] tokens, string[] merges) =>
        new(new BpeVocabulary(tokens, merges, PreTokenizer: pre, AddBos: false));

    [Fact]
    public void LowerRankMergesFirst()
    {
        // "abc": "b c" (rank 0) beats "a b" (rank 1), so the word ends as a + bc, not ab + c.
        var tokenizer = Tokenizer("gpt-2", ["a", "b", "c", "ab", "bc"], ["b c", "a b"]);
        Assert.Equal([0, 4], tokenizer.Encode("abc", addBos: false));
    }

    [Fact]
    public void EqualRanksMergeLeftmostFirst()
    {
        var tokenizer = Tokenizer("gpt-2", ["a", "aa"], ["a a"]);
        Assert.Equal([1, 0], tokenizer.Encode("aaa", addBos: false));
        Assert.Equal([1, 1, 0], tokenizer.Encode("aaaaa", addBos: false));
    }

    [Fact]
    public void IgnoreMergesEmitsAWordThatIsAToken()
    {
        string[] tokens = ["a", "b", "c", "abc"];
        Assert.Equal([3], Tokenizer("llama-bpe", tokens, []).Encode("abc", addBos: false));
        Assert.Equal([0, 1, 2], Tokenizer("dbrx", tokens, []).Encode("abc", addBos: false));
    }

    [Fact]
    public void AMergedTextThatIsNoTokenFallsBackToItsAsciiCharacters()
    {
        // "a b" merges into "ab", which is not in the vocabulary: llama.cpp then emits the one-byte tokens of its text.
        var tokenizer = Tokenizer("gpt-2", ["a", "b"], ["a b"]);
        Assert.Equal([0, 1], tokenizer.Encode("ab", addBos: false));
    }
}
