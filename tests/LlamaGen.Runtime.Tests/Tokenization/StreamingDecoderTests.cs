using System.Text;
using LlamaGen.Tokenization;

namespace LlamaGen.Runtime.Tests.Tokenization;

public sealed class StreamingDecoderTests
{
    private const int P = TestVocabulary.FirstPieceId;
    private static int B(byte b) => TestVocabulary.ByteId(b);

    private static readonly SentencePieceTokenizer Tokenizer =
        TestVocabulary.Tokenizer(true, ("\u2581", 0), ("a", 0), ("\u2581a", -1), ("\u00E9", 0));

    private static List<string> PushAll(StreamingDecoder decoder, params int[] ids)
    {
        var outputs = ids.Select(decoder.Push).ToList();
        outputs.Add(decoder.Flush());
        return outputs;
    }

    [Fact]
    public void EmojiBytesAreHeldUntilTheCharacterIsComplete()
    {
        var outputs = PushAll(new StreamingDecoder(Tokenizer), P + 2, B(0xF0), B(0x9F), B(0x98), B(0x80), P + 2);
        Assert.Equal(["a", "", "", "", "\U0001F600", " a", ""], outputs);
    }

    [Fact]
    public void CjkBytesAreHeldUntilTheCharacterIsComplete()
    {
        // 中 = E4 B8 AD, 文 = E6 96 87
        var outputs = PushAll(new StreamingDecoder(Tokenizer), B(0xE4), B(0xB8), B(0xAD), B(0xE6), B(0x96), B(0x87));
        Assert.Equal(["", "", "\u4E2D", "", "", "\u6587", ""], outputs);
    }

    [Fact]
    public void InvalidBytesBecomeReplacementCharactersOnlyWhenTheyCanNoLongerComplete()
    {
        // F0 starts a 4-byte sequence; 'a' cannot continue it, so F0 is replaced when 'a' arrives, not before.
        Assert.Equal(["", "\uFFFDa", ""], PushAll(new StreamingDecoder(Tokenizer), B(0xF0), P + 1));
        // A truncated sequence at the end is replaced by Flush.
        Assert.Equal(["", "", "\uFFFD"], PushAll(new StreamingDecoder(Tokenizer), B(0xE4), B(0xB8)));
        // A stray continuation byte can never complete.
        Assert.Equal(["\uFFFD", ""], PushAll(new StreamingDecoder(Tokenizer), B(0x80)));
    }

    [Fact]
    public void TheFirstTokenLosesItsLeadingSpaceUnlessAfterBos()
    {
        Assert.Equal(["a", " a", ""], PushAll(new StreamingDecoder(Tokenizer), P + 2, P + 2));
        Assert.Equal(["", " a", " a", ""], PushAll(new StreamingDecoder(Tokenizer), 1, P + 2, P + 2));
        Assert.Equal(["", " a", ""], PushAll(new StreamingDecoder(Tokenizer), 0, P + 2)); // hidden <unk> uses it up
    }

    [Fact]
    public void FlushStartsANewSequence()
    {
        var decoder = new StreamingDecoder(Tokenizer);
        Assert.Equal(["a", ""], PushAll(decoder, P + 2));
        Assert.Equal(["a", ""], PushAll(decoder, P + 2));
    }

    [Fact]
    public void RenderedSpecialTokensAppearInline()
    {
        Assert.Equal(["<s>", " a", "</s>", ""], PushAll(new StreamingDecoder(Tokenizer, renderSpecialTokens: true), 1, P + 2, 2));
    }

    [Fact]
    public void AVisibleEosIsDroppedOnlyAtTheEnd()
    {
        // A vocabulary whose EOS is an ordinary piece and AddEos is set: Decode drops it only as the last token.
        var vocabulary = TestVocabulary.Create([("\u2581a", 0, TokenType.Normal), ("!", 0, TokenType.Normal)], addEos: true) with { EosId = P + 1 };
        var tokenizer = new SentencePieceTokenizer(vocabulary);
        Assert.Equal("a", tokenizer.Decode([P, P + 1]));
        Assert.Equal("a! a", tokenizer.Decode([P, P + 1, P]));
        Assert.Equal("a", string.Concat(PushAll(new StreamingDecoder(tokenizer), P, P + 1)));
        Assert.Equal("a! a", string.Concat(PushAll(new StreamingDecoder(tokenizer), P, P + 1, P)));
    }

    [Fact]
    public void ConcatenatedOutputEqualsDecodeForRandomSequences()
    {
        // Random mixes of pieces, special tokens and (often invalid) bytes, biased towards UTF-8 lead and
        // continuation bytes so that partial, complete and broken characters all occur.
        var random = new Random(20240611);
        int[] interesting = [B(0xC3), B(0xA9), B(0xE4), B(0xB8), B(0xAD), B(0xF0), B(0x9F), B(0x98), B(0x80), B(0x20), B(0x41), B(0xFF), B(0xED), B(0xA0)];
        for (int trial = 0; trial < 2000; trial++)
        {
            var ids = new int[random.Next(0, 12)];
            for (int i = 0; i < ids.Length; i++)
                ids[i] = random.Next(4) switch
                {
                    0 => interesting[random.Next(interesting.Length)],
                    1 => random.Next(0, 3),
                    2 => P + random.Next(0, 4),
                    _ => B((byte)random.Next(256)),
                };
            foreach (bool render in new[] { false, true })
            {
                string streamed = string.Concat(PushAll(new StreamingDecoder(Tokenizer, render), ids));
                Assert.Equal(Tokenizer.Decode(ids, render), streamed);
            }
            // And the decoded bytes agree with the framework's one-shot UTF-8 decoding, the reference for U+FFFD placement.
            Assert.Equal(Encoding.UTF8.GetString(Tokenizer.DecodeToUtf8(ids)), Tokenizer.Decode(ids));
        }
    }
}
