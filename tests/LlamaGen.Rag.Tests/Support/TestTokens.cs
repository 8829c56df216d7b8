using LlamaGen.Tokenization;
using LlamaGen.Gguf;
using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.Tests.Support;

/// <summary>The Llama 2 tokenizer (from llama-2-tiny-random.gguf), shared by the tests: passages are sized in real tokens.</summary>
public static class TestTokens
{
    private static readonly Lazy<TokenizerTokenCounter> Counter = new(() => new TokenizerTokenCounter(Tokenizer.FromGguf(GgufFile.Open(Fixtures.TinyRandomGguf))));

    public static ITokenCounter Llama2 => Counter.Value;
}
