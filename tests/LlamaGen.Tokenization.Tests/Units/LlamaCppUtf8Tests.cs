namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>llama.cpp's lenient UTF-8 decoder (its agreement with llama.cpp is checked by the differential tests).</summary>
public sealed class LlamaCppUtf8Tests
{
    private static int[] Decode(params byte[] bytes)
    {
        var codePoints = new List<int>();
        LlamaCppUtf8.Decode(bytes, codePoints);
        return [.. codePoints];
    }

    [Fact]
    public void AcceptsOverlongAndSurrogateForms()
    {
        Assert.Equal([0], Decode(0xC0, 0x80));
        Assert.Equal([0xD800], Decode(0xED, 0xA0, 0x80));
        Assert.Equal([0x1FFFFF], Decode(0xF7, 0xBF, 0xBF, 0xBF));
    }

    [Fact]
    public void ReplacesEachRejectedByteAndResumesAfterIt()
    {
        Assert.Equal([0xFFFD, 0xFFFD, 'A'], Decode(0xE2, 0x82, 0x41));
        Assert.Equal([0xFFFD, 0xFFFD], Decode(0xF8, 0x80));
    }

    [Fact]
    public void BpeRefusesCodePointsAboveTheUnicodeRange()
    {
        var tokenizer = new BpeTokenizer(new BpeVocabulary(["a"], []));
        var error = Assert.Throws<ArgumentException>(() => tokenizer.EncodeUtf8([0xF5, 0x80, 0x80, 0x80], addBos: false));
        Assert.Contains("U+140000", error.Message);
    }
}
