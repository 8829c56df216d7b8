using System.Text;
using LlamaGen.Gguf;

namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>Streaming decoding with the byte-level BPE vocabulary of GPT-2, where one character often spans several
/// tokens and the detokenizer cleans up spaces.</summary>
public sealed class StreamingDecoderTests
{
    private static readonly Lazy<BpeTokenizer> Gpt2 = new(() =>
    {
        using var file = GgufFile.Open(Fixtures.Vocabulary("gpt-2"));
        return BpeTokenizer.FromGguf(file);
    });

    [Fact]
    public void ACharacterSpanningTokensComesOutWhole()
    {
        var tokenizer = Gpt2.Value;
        int[] ids = tokenizer.Encode("😀", addBos: false);
        Assert.True(ids.Length > 1, "GPT-2 spells this emoji with several byte tokens");
        var decoder = new StreamingDecoder(tokenizer);
        var pieces = ids.Select(decoder.Push).ToList();
        pieces.Add(decoder.Flush());
        Assert.All(pieces[..^2], piece => Assert.Equal("", piece));
        Assert.Equal("😀", string.Concat(pieces));
    }

    [Fact]
    public void NeverSplitsACharacterAndEqualsWholeDecoding()
    {
        var tokenizer = Gpt2.Value;
        var random = new Random(9);
        string[] parts = ["😀", "👨‍👩‍👧‍👦", "日本語", "é", "Привет", " ,", " .", " 's", " ' ", "x", " ", "𐐀", "\n", " 're"];
        for (int trial = 0; trial < 2000; trial++)
        {
            string text = string.Concat(Enumerable.Range(0, random.Next(1, 10)).Select(_ => parts[random.Next(parts.Length)]));
            int[] ids = tokenizer.Encode(text, addBos: false);
            var decoder = new StreamingDecoder(tokenizer);
            var streamed = new StringBuilder();
            foreach (int id in ids)
            {
                string piece = decoder.Push(id);
                // Valid text only: a half character would have been replaced by U+FFFD.
                Assert.DoesNotContain('\uFFFD', piece);
                Assert.False(piece.Length > 0 && char.IsHighSurrogate(piece[^1]), "a surrogate pair was split");
                streamed.Append(piece);
            }
            streamed.Append(decoder.Flush());
            Assert.Equal(tokenizer.Decode(ids), streamed.ToString());
        }
    }

    [Fact]
    public void HoldsASpaceUntilTheCleanUpKnowsItsFate()
    {
        var tokenizer = Gpt2.Value;
        int hello = tokenizer.Encode("Hello", addBos: false).Single();
        int space = tokenizer.Encode(" ", addBos: false).Single();
        int comma = tokenizer.Encode(",", addBos: false).Single();
        var decoder = new StreamingDecoder(tokenizer);
        Assert.Equal("Hello", decoder.Push(hello));
        Assert.Equal("", decoder.Push(space));
        Assert.Equal(",", decoder.Push(comma));
        Assert.Equal("", decoder.Flush());
        Assert.Equal("Hello,", tokenizer.Decode([hello, space, comma]));
    }
}
