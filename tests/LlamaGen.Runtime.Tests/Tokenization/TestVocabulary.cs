using LlamaGen.Tokenization;

namespace LlamaGen.Runtime.Tests.Tokenization;

/// <summary>
/// Builds small SentencePiece vocabularies laid out like Llama 2's: 0 = &lt;unk&gt;, 1 = &lt;s&gt;, 2 = &lt;/s&gt;,
/// 3..258 = the byte pieces &lt;0x00&gt;..&lt;0xFF&gt;, then the pieces a test names (ids from 259 on).
/// </summary>
internal static class TestVocabulary
{
    public const int FirstPieceId = 259;

    public static int ByteId(byte b) => 3 + b;

    public static TokenizerVocabulary Create(
        IEnumerable<(string Piece, float Score, TokenType Type)> pieces, bool addSpacePrefix = true, bool addBos = true, bool addEos = false)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var scores = new List<float> { 0, 0, 0 };
        var types = new List<TokenType> { TokenType.Unknown, TokenType.Control, TokenType.Control };
        for (int b = 0; b < 256; b++)
        {
            tokens.Add($"<0x{b:X2}>");
            scores.Add(0);
            types.Add(TokenType.Byte);
        }
        foreach (var (piece, score, type) in pieces)
        {
            tokens.Add(piece);
            scores.Add(score);
            types.Add(type);
        }
        return new TokenizerVocabulary([.. tokens], [.. scores], [.. types], AddBos: addBos, AddEos: addEos, AddSpacePrefix: addSpacePrefix);
    }

    /// <summary>Normal pieces with the given scores; the id of <c>pieces[i]</c> is <see cref="FirstPieceId"/> + i.</summary>
    public static SentencePieceTokenizer Tokenizer(bool addSpacePrefix, params (string Piece, float Score)[] pieces) =>
        new(Create(pieces.Select(p => (p.Piece, p.Score, TokenType.Normal)), addSpacePrefix));
}
