using System.Text;

namespace LlamaGen.Chat.Syntax;

/// <summary>
/// Decodes the characters between the quotes of a string literal the way jinja2 does:
/// <c>value.encode("ascii", "backslashreplace").decode("unicode-escape")</c>. Going through the escaped ASCII form
/// first is what makes a backslash before a non-ASCII character come out as jinja2 gives it.
/// </summary>
internal static class StringLiteral
{
    /// <exception cref="FormatException">A malformed escape, with the message jinja2 reports.</exception>
    public static string Decode(string raw)
    {
        if (raw.IndexOf('\\') < 0)
            return raw;
        return DecodeUnicodeEscape(BackslashReplace(raw));
    }

    private static string BackslashReplace(string text)
    {
        var builder = new StringBuilder(text.Length + 8);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c < 0x80)
            {
                builder.Append(c);
                continue;
            }
            int code = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text, i++) : c;
            if (code <= 0xFF)
                builder.Append("\\x").Append(code.ToString("x2"));
            else if (code <= 0xFFFF)
                builder.Append("\\u").Append(code.ToString("x4"));
            else
                builder.Append("\\U").Append(code.ToString("x8"));
        }
        return builder.ToString();
    }

    private static string DecodeUnicodeEscape(string ascii)
    {
        var builder = new StringBuilder(ascii.Length);
        for (int i = 0; i < ascii.Length; i++)
        {
            char c = ascii[i];
            if (c != '\\')
            {
                builder.Append(c);
                continue;
            }
            if (i + 1 >= ascii.Length)
                throw new FormatException("\\ at end of string");
            char e = ascii[++i];
            switch (e)
            {
                case '\n': break;
                case '\\': builder.Append('\\'); break;
                case '\'': builder.Append('\''); break;
                case '"': builder.Append('"'); break;
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'v': builder.Append('\v'); break;
                case >= '0' and <= '7':
                    {
                        int value = e - '0';
                        for (int n = 0; n < 2 && i + 1 < ascii.Length && ascii[i + 1] is >= '0' and <= '7'; n++)
                            value = value * 8 + (ascii[++i] - '0');
                        builder.Append((char)value);
                        break;
                    }
                case 'x':
                    AppendCode(builder, ReadHex(ascii, ref i, 2, "truncated \\xXX escape"));
                    break;
                case 'u':
                    AppendCode(builder, ReadHex(ascii, ref i, 4, "truncated \\uXXXX escape"));
                    break;
                case 'U':
                    {
                        long code = ReadHex(ascii, ref i, 8, "truncated \\UXXXXXXXX escape");
                        if (code > 0x10FFFF)
                            throw new FormatException("illegal Unicode character");
                        AppendCode(builder, code);
                        break;
                    }
                case 'N':
                    // Python's \N{NAME} needs the Unicode name database, which the runtime does not carry.
                    throw new FormatException("\\N{...} escapes (Unicode character names) are not supported");
                default:
                    builder.Append('\\').Append(e);
                    break;
            }
        }
        return builder.ToString();
    }

    private static long ReadHex(string text, ref int i, int digits, string error)
    {
        long value = 0;
        for (int n = 0; n < digits; n++)
        {
            int at = i + 1 + n;
            int d = at < text.Length ? HexDigit(text[at]) : -1;
            if (d < 0)
                throw new FormatException(error);
            value = value * 16 + d;
        }
        i += digits;
        return value;
    }

    public static int HexDigit(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        >= 'A' and <= 'F' => c - 'A' + 10,
        _ => -1,
    };

    private static void AppendCode(StringBuilder builder, long code)
    {
        if (code < 0x10000)
            builder.Append((char)code);
        else
            builder.Append(char.ConvertFromUtf32((int)code));
    }
}
