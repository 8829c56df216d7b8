using LlamaGen.Tokenization;

namespace LlamaGen.Rag.Tokens;

/// <summary>Token counts from the model's own tokenizer (SentencePiece or BPE, whichever the GGUF file has).</summary>
public sealed class TokenizerTokenCounter(Tokenizer tokenizer) : ITokenCounter
{
    public int CountTokens(string text) => text.Length == 0 ? 0 : tokenizer.Encode(text, addBos: false, parseSpecial: false).Length;
}
