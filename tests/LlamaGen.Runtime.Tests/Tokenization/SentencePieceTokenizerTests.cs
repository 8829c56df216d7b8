using System.Text;
using LlamaGen.Tokenization;

namespace LlamaGen.Runtime.Tests.Tokenization;

// Expected ids here follow from the SentencePiece/llama.cpp rules applied by hand to tiny vocabularies; the real
// vocabulary is checked id for id against llama.cpp in LlamaGen.Oracle.Tests (TokenizerDifferentialTests).
public sealed class SentencePieceTokenizerTests
{
    private const int P = TestVocabulary.FirstPieceId;
    private static int B(byte b) => TestVocabulary.ByteId(b);

    [Fact]
    public void HigherScoringPairMergesFirst()
    {
        var tokenizer = TestVocabulary.Tokenizer(false, ("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("bc", -0.5f));
        Assert.Equal([P + 0, P + 4], tokenizer.Encode("abc", addBos: false)); // a + bc

        var swapped = TestVocabulary.Tokenizer(false, ("a", 0), ("b", 0), ("c", 0), ("ab", -0.5f), ("bc", -1));
        Assert.Equal([P + 3, P + 2], swapped.Encode("abc", addBos: false)); // ab + c
    }

    [Fact]
    public void EqualScoresMergeTheLeftmostPairFirst()
    {
        var tokenizer = TestVocabulary.Tokenizer(false, ("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("bc", -1));
        Assert.Equal([P + 3, P + 2], tokenizer.Encode("abc", addBos: false));
    }

    [Fact]
    public void MergesOnlyThroughPiecesThatExist()
    {
        // "abc" is a piece but neither "ab" nor "bc" is: pairwise merging can never reach it.
        var unreachable = TestVocabulary.Tokenizer(false, ("a", 0), ("b", 0), ("c", 0), ("abc", 5));
        Assert.Equal([P + 0, P + 1, P + 2], unreachable.Encode("abc", addBos: false));

        var reachable = TestVocabulary.Tokenizer(false, ("a", 0), ("b", 0), ("c", 0), ("ab", -1), ("abc", -2));
        Assert.Equal([P + 4], reachable.Encode("abc", addBos: false));
    }

    [Fact]
    public void SpacesBecomeU2581AndTheTextGetsALeadingSpace()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("\u2581", 0), ("a", 0), ("b", 0), ("\u2581a", -1), ("\u2581b", -1));
        Assert.Equal([1, P + 3, P + 4], tokenizer.Encode("a b", addBos: true));
        Assert.Equal([P + 0, P + 3], tokenizer.Encode(" a", addBos: false)); // "▁▁a": the leftmost "▁▁" is no piece
        Assert.Equal([P + 3, P + 0, P + 0], tokenizer.Encode("a  ", addBos: false));

        var noPrefix = TestVocabulary.Tokenizer(false, ("\u2581", 0), ("a", 0), ("b", 0), ("\u2581a", -1), ("\u2581b", -1));
        Assert.Equal([P + 1, P + 4], noPrefix.Encode("a b", addBos: false));
    }

    [Fact]
    public void OnlyU0020IsEscaped()
    {
        var tokenizer = TestVocabulary.Tokenizer(false, ("a", 0));
        Assert.Equal([B((byte)'\t'), P, B((byte)'\n')], tokenizer.Encode("\ta\n", addBos: false));
    }

    [Fact]
    public void CharactersOutsideTheVocabularyFallBackToTheirUtf8Bytes()
    {
        var tokenizer = TestVocabulary.Tokenizer(false, ("a", 0));
        Assert.Equal([P, B(0xC3), B(0xA9)], tokenizer.Encode("a\u00E9", addBos: false));
        Assert.Equal([B(0xF0), B(0x9F), B(0x98), B(0x80)], tokenizer.Encode("\U0001F600", addBos: false));
        Assert.Equal([B(0xE4), B(0xB8), B(0xAD)], tokenizer.Encode("\u4E2D", addBos: false));
    }

    [Fact]
    public void LoneSurrogatesAreEncodedAsReplacementCharacters()
    {
        var tokenizer = TestVocabulary.Tokenizer(false, ("a", 0));
        int[] replacement = tokenizer.Encode("a\uFFFDa", addBos: false);
        Assert.Equal([P, B(0xEF), B(0xBF), B(0xBD), P], replacement);
        Assert.Equal(replacement, tokenizer.Encode("a\uD800a", addBos: false));
        Assert.Equal(replacement, tokenizer.Encode("a\uDC00a", addBos: false));
        // Same bytes as Encoding.UTF8 gives, which is how LLamaSharp hands text to llama.cpp.
        Assert.Equal(Encoding.UTF8.GetBytes("\uD800"), Encoding.UTF8.GetBytes("\uFFFD"));
    }

    [Fact]
    public void EmptyTextIsJustBosWhenAsked()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("a", 0));
        Assert.Equal([1], tokenizer.Encode("", addBos: true));
        Assert.Empty(tokenizer.Encode("", addBos: false));
    }

    [Fact]
    public void ControlTokenTextsAreParsedOnlyWhenAsked()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("\u2581", 0), ("a", 0), ("\u2581a", -1));
        // Plain text: "<s>" is three characters with no pieces, so three bytes.
        Assert.Equal([P + 2, B((byte)'<'), B((byte)'s'), B((byte)'>'), P + 1],
            tokenizer.Encode("a<s>a", addBos: false, parseSpecial: false));
        // Parsed: the text after a special token gets its own leading space, as the first run does.
        Assert.Equal([P + 2, 1, P + 2], tokenizer.Encode("a<s>a", addBos: false, parseSpecial: true));
        Assert.Equal([1, 1, P + 2, 2], tokenizer.Encode("<s>a</s>", addBos: true, parseSpecial: true));
        Assert.Equal([0], tokenizer.Encode("<unk>", addBos: false, parseSpecial: true));
    }

    [Fact]
    public void UserDefinedTokensAreAlwaysMatchedLongestFirst()
    {
        var vocabulary = TestVocabulary.Create(
        [
            ("\u2581", 0, TokenType.Normal), ("a", 0, TokenType.Normal), ("\u2581a", -1, TokenType.Normal),
            ("[X]", 0, TokenType.UserDefined), ("[X]]", 0, TokenType.UserDefined),
        ]);
        var tokenizer = new SentencePieceTokenizer(vocabulary);
        Assert.Equal([P + 2, P + 3, P + 2], tokenizer.Encode("a[X]a", addBos: false));
        Assert.Equal([P + 4, P + 3], tokenizer.Encode("[X]][X]", addBos: false));
        // User-defined tokens render verbatim even when special tokens are hidden.
        Assert.Equal("a[X] a", tokenizer.Decode([P + 2, P + 3, P + 2]));
    }

    [Fact]
    public void DecodeRemovesTheFirstLeadingSpaceUnlessTheSequenceStartsWithBos()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("\u2581", 0), ("a", 0), ("\u2581a", -1));
        Assert.Equal("a a", tokenizer.Decode([P + 2, P + 2]));
        Assert.Equal(" a a", tokenizer.Decode([1, P + 2, P + 2]));
        Assert.Equal(" a", tokenizer.Decode([P + 0, P + 0, P + 1]));        // only one space is removed
        Assert.Equal("a", tokenizer.Decode([B(0x20), P + 1]));               // also when it comes from a byte token
        Assert.Equal(" a", tokenizer.Decode([2, P + 2]));                    // a hidden token still uses up the removal
        Assert.Equal("<s> a</s>", tokenizer.Decode([1, P + 2, 2], renderSpecialTokens: true));
        Assert.Equal("<unk> a", tokenizer.Decode([0, P + 2], renderSpecialTokens: true));

        var noPrefix = TestVocabulary.Tokenizer(false, ("\u2581", 0), ("a", 0), ("\u2581a", -1));
        Assert.Equal(" a", noPrefix.Decode([P + 2]));
    }

    [Fact]
    public void DecodeJoinsByteTokensIntoCharacters()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("a", 0));
        Assert.Equal("\U0001F600", tokenizer.Decode([B(0xF0), B(0x9F), B(0x98), B(0x80)]));
        Assert.Equal([0xE4, 0xB8], tokenizer.DecodeToUtf8([B(0xE4), B(0xB8)]));
        Assert.Equal("\uFFFD", tokenizer.Decode([B(0xE4), B(0xB8)])); // one maximal ill-formed subpart, one U+FFFD
    }

    [Fact]
    public void EncodeWithoutBosThenDecodeGivesTheTextBack()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("\u2581", 0), ("a", 0), ("b", 0), ("\u2581a", -1), ("ab", -2));
        foreach (string text in new[] { "ab ba", "  a\tb\n", "\u00E9t\u00E9 \U0001F600 \u4E2D\u6587", "" })
            Assert.Equal(text, tokenizer.Decode(tokenizer.Encode(text, addBos: false)));
    }

    [Fact]
    public void TokenToPieceShowsSpacesAndSpecialTokens()
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("\u2581a", 0));
        Assert.Equal(" a", tokenizer.TokenToPiece(P));
        Assert.Equal("<s>", tokenizer.TokenToPiece(1));
        Assert.Equal("", tokenizer.TokenToPiece(1, renderSpecialTokens: false));
        Assert.Equal("A", tokenizer.TokenToPiece(B(0x41)));
        Assert.Equal("\u2581a", tokenizer.GetTokenText(P));
        Assert.Equal(TokenType.Byte, tokenizer.GetTokenType(B(0x41)));
        Assert.True(tokenizer.TryGetId("\u2581a", out int id) && id == P);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(P + 1)]
    [InlineData(int.MaxValue)]
    public void OutOfRangeIdsAreRejectedWithTheIdAndVocabularySize(int id)
    {
        var tokenizer = TestVocabulary.Tokenizer(true, ("a", 0));
        var decode = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([P, id]));
        Assert.Contains(id.ToString(), decode.Message);
        Assert.Contains((P + 1).ToString(), decode.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenToPiece(id));
        Assert.Throws<ArgumentOutOfRangeException>(() => new StreamingDecoder(tokenizer).Push(id));
    }

    [Fact]
    public void InconsistentVocabulariesAreRejected()
    {
        var duplicate = new TokenizerVocabulary(["<unk>", "<s>", "</s>", "a", "a"]);
        Assert.Contains("ids 3 and 4", Assert.Throws<ArgumentException>(() => new SentencePieceTokenizer(duplicate)).Message);

        var badByte = new TokenizerVocabulary(["<unk>", "<s>", "</s>", "<0xZZ>"], TokenTypes: [TokenType.Unknown, TokenType.Control, TokenType.Control, TokenType.Byte]);
        Assert.Contains("token 3", Assert.Throws<ArgumentException>(() => new SentencePieceTokenizer(badByte)).Message);

        var shortScores = new TokenizerVocabulary(["<unk>", "<s>", "</s>"], Scores: [0f]);
        Assert.Throws<ArgumentException>(() => new SentencePieceTokenizer(shortScores));

        var badBos = new TokenizerVocabulary(["<unk>", "<s>", "</s>"], BosId: 7);
        Assert.Contains("BOS id 7", Assert.Throws<ArgumentException>(() => new SentencePieceTokenizer(badBos)).Message);
    }

    [Fact]
    public void MissingByteFallbackIsAnErrorNamingTheCharacter()
    {
        var tokenizer = new SentencePieceTokenizer(new TokenizerVocabulary(["<unk>", "<s>", "</s>", "a"],
            TokenTypes: [TokenType.Unknown, TokenType.Control, TokenType.Control, TokenType.Normal], AddSpacePrefix: false));
        var error = Assert.Throws<InvalidOperationException>(() => tokenizer.Encode("a\u00E9", addBos: false));
        Assert.Contains("U+00E9", error.Message);
        Assert.Contains("0xC3", error.Message);
    }
}
