using System.Globalization;
using System.Numerics;
using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's printf-style <c>format % values</c> (also behind jinja2's <c>format</c> filter): <c>%s %r %a %d %i %u
/// %o %x %X %e %E %f %F %g %G %c %%</c> with <c>%(key)s</c> mapping keys, the <c>#0- +</c> flags, <c>*</c> widths and
/// precisions, and Python's error messages.
/// </summary>
internal static class PercentFormatter
{
    // Float precisions beyond this are refused (the exact decimal expansion of a double has at most 767 significant digits).
    public const int MaxPrecision = 10_000;

    public static object Format(object? format, object? values, TemplateRenderer renderer)
    {
        string text = PythonOps.AsString(format)!;
        bool markup = format is Markup;
        object?[] positional = values is PyTuple tuple ? tuple.Items : [values];
        PyDict? mapping = values as PyDict;
        int next = 0;
        bool usedMapping = false;
        var output = new StringBuilder();

        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c != '%')
            {
                output.Append(c);
                i++;
                continue;
            }
            int specStart = i;
            i++;
            if (i >= text.Length)
                throw PythonError.Value("incomplete format");

            object? mapped = null;
            bool hasKey = false;
            if (text[i] == '(')
            {
                if (mapping is null)
                    throw PythonError.Type("format requires a mapping");
                int depth = 1, keyStart = ++i;
                while (i < text.Length && depth > 0)
                {
                    if (text[i] == '(') depth++;
                    else if (text[i] == ')') depth--;
                    i++;
                }
                if (depth > 0)
                    throw PythonError.Value("incomplete format key");
                string key = text[keyStart..(i - 1)];
                if (!mapping.TryGetValue(key, out mapped))
                    throw new PythonError(ChatTemplateErrorKind.Key, PythonRepr.Repr(key));
                hasKey = true;
                usedMapping = true;
            }

            string flags = "";
            while (i < text.Length && text[i] is '-' or '+' or ' ' or '#' or '0')
                flags += text[i++];

            long width = -1, precision = -1;
            if (i < text.Length && text[i] == '*')
            {
                i++;
                width = TakeStar(positional, ref next);
                if (width < 0)
                {
                    flags += "-";
                    width = -width;
                }
            }
            else
            {
                width = ReadNumber(text, ref i);
            }
            if (i < text.Length && text[i] == '.')
            {
                i++;
                if (i < text.Length && text[i] == '*')
                {
                    i++;
                    precision = Math.Max(0, TakeStar(positional, ref next));
                }
                else
                {
                    precision = Math.Max(0, ReadNumber(text, ref i));
                }
            }
            while (i < text.Length && text[i] is 'h' or 'l' or 'L')
                i++;
            if (i >= text.Length)
                throw PythonError.Value("incomplete format");
            char type = text[i++];
            if (type == '%')
            {
                output.Append('%');
                continue;
            }

            object? value;
            if (hasKey)
            {
                value = mapped;
            }
            else
            {
                if (next >= positional.Length)
                    throw PythonError.Type("not enough arguments for format string");
                value = positional[next++];
            }

            string piece = Convert(type, flags, precision, value, text, specStart, i - 1, renderer);
            if (markup && type is 's' or 'r' or 'a' && value is not Markup)
                piece = HtmlEscape.Escape(piece);
            renderer.Budget.CheckString(output.Length + Math.Max(width, piece.Length));
            output.Append(PadField(piece, width, flags, numeric: type is not ('s' or 'r' or 'a' or 'c')));
        }

        if (!usedMapping && next < positional.Length && !(mapping is not null && values is not PyTuple))
            throw PythonError.Type("not all arguments converted during string formatting");
        string result = output.ToString();
        return markup ? new Markup(result) : result;
    }

    private static long TakeStar(object?[] positional, ref int next)
    {
        if (next >= positional.Length)
            throw PythonError.Type("not enough arguments for format string");
        object? value = positional[next++];
        if (value is not (long or bool or BigInteger))
            throw PythonError.Type("* wants int");
        return PythonSlice.ToIndex(value);
    }

    private static long ReadNumber(string text, ref int i)
    {
        if (i >= text.Length || !char.IsAsciiDigit(text[i]))
            return -1;
        long n = 0;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
            n = Math.Min(n * 10 + (text[i++] - '0'), int.MaxValue);
        return n;
    }

    private static string Convert(char type, string flags, long precision, object? value, string format, int specStart, int typeAt, TemplateRenderer renderer)
    {
        switch (type)
        {
            case 's':
                {
                    string s = PythonRepr.Str(value);
                    return precision >= 0 ? TruncateCodePoints(s, precision) : s;
                }
            case 'r':
            case 'a':
                {
                    string s = PythonRepr.Repr(value);
                    if (type == 'a')
                        s = PythonRepr.Ascii(s);
                    return precision >= 0 ? TruncateCodePoints(s, precision) : s;
                }
            case 'c':
                if (value is long or BigInteger or bool)
                {
                    BigInteger code = PythonOps.ToBig(value);
                    if (code < 0 || code > 0x10FFFF)
                        throw new PythonError(ChatTemplateErrorKind.Overflow, "%c arg not in range(0x110000)");
                    return PythonStrings.CodePointToString((int)code);
                }
                if (PythonOps.AsString(value) is string one && PythonStrings.CodePointCount(one) == 1)
                    return one;
                throw PythonError.Type("%c requires int or char");
            case 'd' or 'i' or 'u':
                {
                    BigInteger number = value switch
                    {
                        long or BigInteger or bool => PythonOps.ToBig(value),
                        double d when double.IsFinite(d) => new BigInteger(Math.Truncate(d)),
                        double d => throw (double.IsNaN(d)
                            ? PythonError.Value("cannot convert float NaN to integer")
                            : new PythonError(ChatTemplateErrorKind.Overflow, "cannot convert float infinity to integer")),
                        _ => throw PythonError.Type($"%{type} format: a real number is required, not {PythonOps.TypeName(value)}"),
                    };
                    return FormatInteger(number, 10, flags, precision, upper: false);
                }
            case 'o' or 'x' or 'X':
                {
                    if (value is not (long or BigInteger or bool))
                        throw PythonError.Type($"%{type} format: an integer is required, not {PythonOps.TypeName(value)}");
                    return FormatInteger(PythonOps.ToBig(value), type == 'o' ? 8 : 16, flags, precision, upper: type == 'X');
                }
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G':
                {
                    if (!PythonOps.IsNumber(value))
                        throw PythonError.Type($"must be real number, not {PythonOps.TypeName(value)}");
                    double d = PythonOps.ToDouble(value);
                    if (precision > MaxPrecision)
                        throw ExecutionBudget.Exceeded($"a float precision of {precision} digits is more than {MaxPrecision}");
                    return FormatFloat(d, type, flags, precision < 0 ? 6 : (int)precision);
                }
        }
        throw PythonError.Value($"unsupported format character '{type}' (0x{(int)type:x}) at index {typeAt}");
    }

    public static string FormatFloat(double d, char type, string flags, int precision)
    {
        bool alternate = flags.Contains('#');
        string body;
        if (double.IsNaN(d) || double.IsInfinity(d))
        {
            body = double.IsNaN(d) ? "nan" : (d > 0 ? "inf" : "-inf");
            if (char.IsUpper(type))
                body = body.ToUpperInvariant();
        }
        else
        {
            body = char.ToLowerInvariant(type) switch
            {
                'e' => FloatFormatting.FormatExponent(d, precision, alternate),
                'f' => FloatFormatting.FormatFixed(d, precision) + (alternate && precision == 0 ? "." : ""),
                _ => FloatFormatting.FormatGeneral(d, precision, alternate),
            };
            if (char.IsUpper(type))
                body = body.ToUpperInvariant();
        }
        return AddSign(body, flags);
    }

    private static string FormatInteger(BigInteger number, int radix, string flags, long precision, bool upper)
    {
        bool negative = number.Sign < 0;
        BigInteger magnitude = BigInteger.Abs(number);
        string digits = radix switch
        {
            10 => PythonRepr.IntToString(magnitude),
            16 => ToRadix(magnitude, 16, upper),
            _ => ToRadix(magnitude, 8, false),
        };
        if (precision > digits.Length)
            digits = new string('0', (int)precision - digits.Length) + digits;
        if (flags.Contains('#') && radix != 10)
            digits = (radix == 8 ? "0o" : upper ? "0X" : "0x") + digits;
        return AddSign((negative ? "-" : "") + digits, flags);
    }

    public static string ToRadix(BigInteger value, int radix, bool upper)
    {
        if (value.IsZero)
            return "0";
        var builder = new StringBuilder();
        string alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
        while (!value.IsZero)
        {
            value = BigInteger.DivRem(value, radix, out BigInteger digit);
            builder.Insert(0, alphabet[(int)digit]);
        }
        return builder.ToString();
    }

    private static string AddSign(string body, string flags)
    {
        if (body.StartsWith('-'))
            return body;
        if (flags.Contains('+'))
            return "+" + body;
        if (flags.Contains(' '))
            return " " + body;
        return body;
    }

    // Width padding: '-' pads right, '0' pads numbers with zeros after the sign and any 0x prefix.
    private static string PadField(string piece, long width, string flags, bool numeric)
    {
        int length = PythonStrings.CodePointCount(piece);
        if (width <= length)
            return piece;
        int pad = (int)(width - length);
        if (flags.Contains('-'))
            return piece + new string(' ', pad);
        if (numeric && flags.Contains('0') && piece.Length > 0 && !piece.Contains("inf", StringComparison.OrdinalIgnoreCase) && !piece.Contains("nan", StringComparison.OrdinalIgnoreCase))
        {
            int prefix = piece[0] is '-' or '+' or ' ' ? 1 : 0;
            if (piece.Length >= prefix + 2 && piece[prefix] == '0' && piece[prefix + 1] is 'x' or 'X' or 'o')
                prefix += 2;
            return piece[..prefix] + new string('0', pad) + piece[prefix..];
        }
        return new string(' ', pad) + piece;
    }

    private static string TruncateCodePoints(string s, long count) =>
        PythonStrings.CodePointCount(s) <= count ? s : PythonStrings.Substring(s, 0, (int)count);
}
