using System.Globalization;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's character classes (<c>str.isspace</c>, <c>str.isalpha</c>, identifiers, line boundaries...), which differ
/// from .NET's in places: Python counts U+001C..U+001F as whitespace, and <c>splitlines</c> breaks on more than
/// <c>\n</c> and <c>\r</c>. Categories come from .NET's Unicode tables, which can be newer than Python 3.11's
/// (Unicode 14); only characters assigned since then can differ.
/// </summary>
internal static class PythonChars
{
    public static bool IsSpace(int c) => c switch
    {
        >= 0x09 and <= 0x0D => true,
        >= 0x1C and <= 0x20 => true,
        0x85 or 0xA0 or 0x1680 => true,
        >= 0x2000 and <= 0x200A => true,
        0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>The line boundaries of <c>str.splitlines</c>.</summary>
    public static bool IsLineBreak(int c) => c switch
    {
        0x0A or 0x0B or 0x0C or 0x0D or 0x1C or 0x1D or 0x1E or 0x85 or 0x2028 or 0x2029 => true,
        _ => false,
    };

    public static UnicodeCategory Category(int c) => CharUnicodeInfo.GetUnicodeCategory(c);

    public static bool IsAlpha(int c) => Category(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter
        or UnicodeCategory.TitlecaseLetter or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter;

    public static bool IsDecimal(int c) => Category(c) == UnicodeCategory.DecimalDigitNumber;

    public static int DecimalValue(int c)
    {
        if (c is >= '0' and <= '9')
            return c - '0';
        return IsDecimal(c) ? CharUnicodeInfo.GetDecimalDigitValue(char.ConvertFromUtf32(c), 0) : -1;
    }

    public static bool IsDigit(int c) => c is >= '0' and <= '9' ||
        (c > 0x7F && !IsSurrogate(c) && CharUnicodeInfo.GetDigitValue(char.ConvertFromUtf32(c), 0) >= 0);

    public static bool IsNumeric(int c) => c is >= '0' and <= '9' ||
        (c > 0x7F && !IsSurrogate(c) && CharUnicodeInfo.GetNumericValue(char.ConvertFromUtf32(c), 0) != -1);

    public static bool IsAlnum(int c) => IsAlpha(c) || IsDecimal(c) || IsDigit(c) || IsNumeric(c);

    /// <summary>Python's <c>str.isprintable</c> per character: what <c>repr</c> leaves unescaped.</summary>
    public static bool IsPrintable(int c)
    {
        if (c == ' ')
            return true;
        return Category(c) switch
        {
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.SpaceSeparator => false,
            _ => true,
        };
    }

    /// <summary>A character of jinja2's name pattern (<c>\w</c> plus combining marks).</summary>
    public static bool IsNameChar(int c) => c == '_' || IsIdentifierStart(c) || IsIdentifierContinue(c);

    public static bool IsIdentifierStart(int c)
    {
        if (c < 0x80)
            return c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or '_';
        return Category(c) is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.LetterNumber;
    }

    public static bool IsIdentifierContinue(int c)
    {
        if (c < 0x80)
            return c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_';
        return IsIdentifierStart(c) || Category(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.ConnectorPunctuation;
    }

    /// <summary>Python's <c>\w</c> in a str pattern: alphanumeric or underscore.</summary>
    public static bool IsWordChar(int c) => c == '_' || IsAlnum(c);

    /// <summary>A cased character (Unicode's Lu, Ll, Lt and the Other_Lowercase/Other_Uppercase letters).</summary>
    public static bool IsCased(int c) => UnicodeCaseTable.IsCased(c);

    /// <summary>Unicode's Case_Ignorable, as <c>str.lower</c> uses it for the final sigma.</summary>
    public static bool IsCaseIgnorable(int c) => c is '\'' or '.' or ':' or '^' or '`' or 0xB7 or 0x2019 or 0x2024 or 0xFE52 or 0xFF07 or 0xFF0E
        || Category(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format
            or UnicodeCategory.ModifierLetter or UnicodeCategory.ModifierSymbol;

    public static bool IsSurrogate(int c) => c is >= 0xD800 and <= 0xDFFF;
}
