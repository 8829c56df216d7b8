namespace LlamaGen.Tokenization.Tests.Units;

/// <summary>The regex subset the pre-tokenizer presets need: parsing, ECMAScript's backtracking, and refusal of the rest.</summary>
public sealed class SplitPatternTests
{
    private static List<string> Split(string pattern, string text)
    {
        int[] codePoints = [.. text.EnumerateRunes().Select(r => r.Value)];
        var words = new List<int>();
        new PatternWordSplitter(new SplitPattern(pattern)).Split(codePoints, [codePoints.Length], words);
        var result = new List<string>();
        int at = 0;
        foreach (int length in words)
        {
            result.Add(string.Concat(codePoints[at..(at + length)].Select(char.ConvertFromUtf32)));
            at += length;
        }
        return result;
    }

    [Fact]
    public void KeepsMatchesAndTheGapsBetweenThem() =>
        Assert.Equal(["ab", "12", "cd", "3", "!"], Split(@"\p{N}+", "ab12cd3!"));

    [Fact]
    public void BacktracksIntoAnOptionalItem() =>
        // \s? takes the space, then [a-z]+ must still match; with "  x" the first space is a gap.
        Assert.Equal([" ", " x"], Split(@"\s?[a-z]+", "  x"));

    [Fact]
    public void AnchorsAtTheEndOfTheChunkOnly()
    {
        Assert.Equal(["ab", "   "], Split(@"\s+$", "ab   "));
        Assert.Equal(["a   b"], Split(@"\s+$", "a   b"));
    }

    [Fact]
    public void BoundedRepetition() =>
        Assert.Equal(["123", "456", "78"], Split("[0-9]{1,3}", "12345678"));

    [Fact]
    public void CategoriesMatchTheirPlaceholderInCollapsedText()
    {
        // U+0661 ARABIC-INDIC DIGIT ONE is a number; U+00B2 SUPERSCRIPT TWO too; '~' is not a symbol for llama.cpp.
        Assert.Equal(["x", "\u0661\u00B2", "~"], Split(@"\p{N}+", "x\u0661\u00B2~"));
        Assert.Equal(["a", "$+", "~"], Split(@"\p{S}+", "a$+~"));
    }

    [Fact]
    public void WideTextSeesSupplementaryCodePointsWhole() =>
        Assert.Equal(["a", "\U00010400\U0001044F", "b"], Split("[\U00010400-\U0001044F]+", "a\U00010400\U0001044Fb"));

    [Fact]
    public void NonAsciiWhiteSpaceIsAVerticalTabToTheRegex() =>
        Assert.Equal(["a", "\u3000\u00A0"], Split(@"\s+$", "a\u3000\u00A0"));

    [Theory]
    [InlineData("a|b")]
    [InlineData("(a)")]
    [InlineData("a+?")]
    [InlineData("\\d")]
    [InlineData("x*")]
    [InlineData("[\u00E9\\p{L}]")]
    public void RefusesWhatItDoesNotImplement(string pattern) =>
        Assert.ThrowsAny<Exception>(() => new SplitPattern(pattern));
}
