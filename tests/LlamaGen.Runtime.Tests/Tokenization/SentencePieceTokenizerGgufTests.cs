using System.Diagnostics;
using LlamaGen.Gguf;
using LlamaGen.TestSupport.Reference;
using LlamaGen.Tokenization;

namespace LlamaGen.Runtime.Tests.Tokenization;

public sealed class SentencePieceTokenizerGgufTests
{
    private static readonly Lazy<SentencePieceTokenizer> Llama2 = new(() =>
    {
        using var file = GgufFile.Open(ReferenceFixtures.TinyRandomGguf);
        return SentencePieceTokenizer.FromGguf(file);
    });

    [Fact]
    public void ReadsTheLlama2VocabularyFromGguf()
    {
        // Facts of Llama 2's tokenizer (fixtures README: 32000 pieces, BOS 1, EOS 2, <0xNN> byte pieces).
        SentencePieceTokenizer tokenizer = Llama2.Value;
        Assert.Equal(32000, tokenizer.VocabSize);
        Assert.Equal(1, tokenizer.BosId);
        Assert.Equal(2, tokenizer.EosId);
        Assert.Equal(0, tokenizer.UnknownId);
        Assert.True(tokenizer.AddBos);
        Assert.False(tokenizer.AddEos);
        Assert.True(tokenizer.AddSpacePrefix);
        Assert.Equal(TokenType.Unknown, tokenizer.GetTokenType(0));
        Assert.Equal(TokenType.Control, tokenizer.GetTokenType(1));
        Assert.Equal("<0x0A>", tokenizer.GetTokenText(13));
        Assert.Equal(TokenType.Byte, tokenizer.GetTokenType(13));
    }

    [Fact]
    public void EncodesLikeLlamaCpp()
    {
        // Ids printed by llama.cpp (llama_tokenize through LLamaSharp 0.30.0) for this file; the full comparison
        // over 1000+ strings is LlamaGen.Oracle.Tests' TokenizerDifferentialTests.
        SentencePieceTokenizer tokenizer = Llama2.Value;
        Assert.Equal([1, 15043, 3186], tokenizer.Encode("Hello world", addBos: true));
        Assert.Equal([1, 29871, 15043], tokenizer.Encode(" Hello", addBos: true));
        Assert.Equal([1, 29871, 243, 162, 167, 153, 263, 13, 13, 29890], tokenizer.Encode("\U0001F916 a\n\nb", addBos: true));
        Assert.Equal([1, 1, 6324, 2, 29871, 727], tokenizer.Encode("<s>Hi</s> there", addBos: true, parseSpecial: true));
    }

    [Fact]
    public void EncodingA4KilobytePromptIsFast()
    {
        SentencePieceTokenizer tokenizer = Llama2.Value;
        string paragraph = "The quick brown fox jumps over the lazy dog, then naps; résumé 12345 — naïve café. 日本語のテキスト。\n";
        string prompt = string.Concat(Enumerable.Repeat(paragraph, 64))[..4096];
        for (int i = 0; i < 20; i++)
            tokenizer.Encode(prompt, addBos: true); // warm up the JIT

        // The fastest of several runs, so other work on a shared machine does not count against us.
        double perPromptMs = double.MaxValue;
        for (int run = 0; run < 30; run++)
        {
            long start = Stopwatch.GetTimestamp();
            tokenizer.Encode(prompt, addBos: true);
            perPromptMs = Math.Min(perPromptMs, Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }
        // About 0.6 ms of CPU in Release here; the bound leaves room for Debug builds but fails on quadratic behaviour.
        Assert.True(perPromptMs < 25, $"encoding a 4 KB prompt took {perPromptMs:F2} ms");
    }

    [Fact]
    public void RejectsTokenizersOtherThanSentencePiece()
    {
        using var gguf = WriteGguf(w => w
            .AddMetadata("tokenizer.ggml.model", "gpt2")
            .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(new[] { "a", "b" })));
        using var file = GgufFile.Open(gguf.Path);
        var error = Assert.Throws<NotSupportedException>(() => SentencePieceTokenizer.FromGguf(file));
        Assert.Contains("\"gpt2\"", error.Message);
        Assert.Contains(gguf.Path, error.Message);
    }

    [Fact]
    public void RejectsAFileWithoutTokenizer()
    {
        using var gguf = WriteGguf(w => w.AddMetadata("general.architecture", "llama"));
        using var file = GgufFile.Open(gguf.Path);
        Assert.Contains("tokenizer.ggml.model", Assert.Throws<InvalidDataException>(() => SentencePieceTokenizer.FromGguf(file)).Message);
    }

    [Fact]
    public void AppliesLlamaCppDefaultsForAbsentKeys()
    {
        using var gguf = WriteGguf(w => w
            .AddMetadata("tokenizer.ggml.model", "llama")
            .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(new[] { "<unk>", "<s>", "</s>", "\u2581a" })));
        using var file = GgufFile.Open(gguf.Path);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        Assert.Equal((1, 2, 0, -1), (tokenizer.BosId, tokenizer.EosId, tokenizer.UnknownId, tokenizer.PaddingId));
        Assert.True(tokenizer.AddBos && tokenizer.AddSpacePrefix && !tokenizer.AddEos);
        // Without a type array every token is normal, so "<s>" is plain text and renders verbatim.
        Assert.Equal(TokenType.Normal, tokenizer.GetTokenType(1));
        Assert.Equal([1, 3], tokenizer.Encode("a", addBos: true));
    }

    [Fact]
    public void ReadsExplicitFlagsAndIds()
    {
        using var gguf = WriteGguf(w => w
            .AddMetadata("tokenizer.ggml.model", "llama")
            .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(new[] { "<unk>", "<s>", "</s>", "a", "<pad>" }))
            .AddMetadata("tokenizer.ggml.scores", GgufValue.Of(new[] { 0f, 0f, 0f, -1.5f, 0f }))
            .AddMetadata("tokenizer.ggml.token_type", GgufValue.Of(new[] { 2, 3, 3, 1, 3 }))
            .AddMetadata("tokenizer.ggml.bos_token_id", 2u)
            .AddMetadata("tokenizer.ggml.eos_token_id", 1u)
            .AddMetadata("tokenizer.ggml.padding_token_id", 4u)
            .AddMetadata("tokenizer.ggml.add_bos_token", false)
            .AddMetadata("tokenizer.ggml.add_eos_token", true)
            .AddMetadata("tokenizer.ggml.add_space_prefix", false));
        using var file = GgufFile.Open(gguf.Path);
        var tokenizer = SentencePieceTokenizer.FromGguf(file);
        Assert.Equal((2, 1, 4), (tokenizer.BosId, tokenizer.EosId, tokenizer.PaddingId));
        Assert.False(tokenizer.AddBos);
        Assert.True(tokenizer.AddEos);
        Assert.False(tokenizer.AddSpacePrefix);
        Assert.Equal(-1.5f, tokenizer.GetScore(3));
        Assert.Equal([2, 3], tokenizer.Encode("a", addBos: true));
    }

    [Fact]
    public void RejectsAnOutOfRangeSpecialId()
    {
        using var gguf = WriteGguf(w => w
            .AddMetadata("tokenizer.ggml.model", "llama")
            .AddMetadata("tokenizer.ggml.tokens", GgufValue.Of(new[] { "<unk>", "<s>", "</s>" }))
            .AddMetadata("tokenizer.ggml.bos_token_id", 99u));
        using var file = GgufFile.Open(gguf.Path);
        var error = Assert.Throws<InvalidDataException>(() => SentencePieceTokenizer.FromGguf(file));
        Assert.Contains("tokenizer.ggml.bos_token_id = 99", error.Message);
    }

    private sealed class TempGguf(string path) : IDisposable
    {
        public string Path { get; } = path;
        public void Dispose() => File.Delete(Path);
    }

    private static TempGguf WriteGguf(Action<GgufWriter> build)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"llamagen-tokenizer-{Guid.NewGuid():N}.gguf");
        using (var stream = File.Create(path))
        {
            var writer = new GgufWriter(stream);
            build(writer);
            writer.Finish();
        }
        return new TempGguf(path);
    }
}
