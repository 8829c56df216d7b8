using LlamaGen.Gguf;
using LlamaGen.Tokenization;

namespace LlamaGen.Rag.Tokens;

/// <summary>
/// Token counts from the runtime's SentencePiece tokenizer. The one place the sample names a concrete tokenizer: when
/// the runtime's <c>Tokenizer</c> base class lands, this wraps that instead and nothing else changes.
/// </summary>
public sealed class SentencePieceTokenCounter(SentencePieceTokenizer tokenizer) : ITokenCounter
{
    /// <summary>The tokenizer of a GGUF file (its <c>tokenizer.ggml.*</c> metadata).</summary>
    public static SentencePieceTokenCounter FromGguf(GgufFile file) => new(SentencePieceTokenizer.FromGguf(file));

    public int CountTokens(string text) => text.Length == 0 ? 0 : tokenizer.Encode(text, addBos: false, parseSpecial: false).Length;
}
