namespace LlamaGen.Tokenization;

/// <summary>
/// The units a <see cref="SplitPattern"/> runs over, as llama.cpp's <c>unicode_regex_split</c> prepares them. A pattern
/// that uses Unicode categories (<c>\p{L}</c>...) runs, in llama.cpp, as a byte regex over a "collapsed" copy of the
/// text: ASCII stays, any other white space becomes <c>0x0B</c>, and any other code point becomes one placeholder byte
/// for its category (0xD1 number, 0xD2 letter, 0xD3 punctuation, 0xD4 mark, 0xD5 symbol, 0xD0 anything else), while the
/// category escapes become bracket expressions of that placeholder plus the category's ASCII members. A pattern without
/// categories runs as a wide-character regex over the code points themselves, non-ASCII white space again turned into
/// <c>0x0B</c> because the C++ library's <c>\s</c> knows only ASCII.
/// </summary>
internal static class PatternText
{
    public const int VerticalTab = 0x0B;
    public const int NumberPlaceholder = 0xD1, LetterPlaceholder = 0xD2, PunctuationPlaceholder = 0xD3;
    public const int MarkPlaceholder = 0xD4, SymbolPlaceholder = 0xD5, OtherPlaceholder = 0xD0;

    public static void Collapse(ReadOnlySpan<int> codePoints, Span<int> units)
    {
        for (int i = 0; i < codePoints.Length; i++)
        {
            int c = codePoints[i];
            if ((uint)c < 0x80)
            {
                units[i] = c;
                continue;
            }
            UnicodeFlags flags = UnicodeFlagTable.Get(c);
            units[i] = (flags & UnicodeFlags.Whitespace) != 0 ? VerticalTab : (flags & UnicodeFlags.Categories) switch
            {
                UnicodeFlags.Number => NumberPlaceholder,
                UnicodeFlags.Letter => LetterPlaceholder,
                UnicodeFlags.Punctuation => PunctuationPlaceholder,
                UnicodeFlags.AccentMark => MarkPlaceholder,
                UnicodeFlags.Symbol => SymbolPlaceholder,
                _ => OtherPlaceholder,
            };
        }
    }

    public static void Widen(ReadOnlySpan<int> codePoints, Span<int> units)
    {
        for (int i = 0; i < codePoints.Length; i++)
        {
            int c = codePoints[i];
            units[i] = c > 0x7F && (UnicodeFlagTable.Get(c) & UnicodeFlags.Whitespace) != 0 ? VerticalTab : c;
        }
    }
}
