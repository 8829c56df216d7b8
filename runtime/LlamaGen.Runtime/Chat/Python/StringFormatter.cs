using System.Numerics;
using System.Text;
using LlamaGen.Chat.Evaluation;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// <c>str.format</c> / <c>str.format_map</c> as jinja2's sandbox runs them (<c>SandboxedFormatter</c>): replacement
/// fields <c>{0}</c>, <c>{}</c>, <c>{name.attr[key]}</c> (attributes and items looked up through the sandbox),
/// conversions <c>!r !s !a</c>, and Python's format-spec mini-language for strings, ints and floats.
/// </summary>
internal static class StringFormatter
{
    /// <summary><c>format.format(*args, **kwargs)</c> through jinja2's <c>SandboxedFormatter</c> (Python's <c>string.Formatter</c>).</summary>
    public static string Format(string format, IReadOnlyList<object?> args, PyDict kwargs, TemplateRenderer renderer)
    {
        int autoIndex = 0;
        return VFormat(format, args, kwargs, renderer, 2, ref autoIndex);
    }

    // string.Formatter._vformat; autoIndex -1 stands for its `False` (manual numbering in use).
    private static string VFormat(string format, IReadOnlyList<object?> args, PyDict kwargs, TemplateRenderer renderer, int depth, ref int autoIndex)
    {
        if (depth < 0)
            throw PythonError.Value("Max string recursion exceeded");
        var output = new StringBuilder();
        int position = 0;
        while (Next(format, ref position, out string literal, out string? fieldName, out string spec, out char conversion))
        {
            output.Append(literal);
            if (fieldName is null)
                continue;
            if (fieldName.Length == 0)
            {
                if (autoIndex < 0)
                    throw PythonError.Value("cannot switch from manual field specification to automatic field numbering");
                fieldName = autoIndex.ToString(System.Globalization.CultureInfo.InvariantCulture);
                autoIndex++;
            }
            else if (PythonStrings.All(fieldName, PythonChars.IsDigit))
            {
                if (autoIndex > 0)
                    throw PythonError.Value("cannot switch from manual field specification to automatic field numbering");
                autoIndex = -1;
            }
            object? value = GetField(fieldName, args, kwargs, renderer);
            value = conversion switch
            {
                '\0' => value,
                'r' => PythonRepr.Repr(value),
                's' => PythonRepr.Str(value),
                'a' => PythonRepr.Ascii(PythonRepr.Repr(value)),
                _ => throw PythonError.Value($"Unknown conversion specifier {conversion}"),
            };
            spec = VFormat(spec, args, kwargs, renderer, depth - 1, ref autoIndex);
            string piece = FormatValue(value, spec, renderer.Budget);
            renderer.Budget.CheckString((long)output.Length + piece.Length);
            output.Append(piece);
        }
        return output.ToString();
    }

    // CPython's MarkupIterator_next and parse_field (Objects/stringlib/unicode_format.h): the next literal text and the
    // replacement field after it (fieldName null when there is none). False at the end of the string.
    private static bool Next(string s, ref int i, out string literal, out string? fieldName, out string spec, out char conversion)
    {
        literal = "";
        fieldName = null;
        spec = "";
        conversion = '\0';
        if (i >= s.Length)
            return false;
        int start = i;
        char c = '\0';
        bool markupFollows = false;
        while (i < s.Length)
        {
            c = s[i++];
            if (c is '{' or '}')
            {
                markupFollows = true;
                break;
            }
        }
        bool atEnd = i >= s.Length;
        int length = i - start;
        if (markupFollows && c == '}' && (atEnd || s[i] != '}'))
            throw PythonError.Value("Single '}' encountered in format string");
        if (markupFollows && atEnd && c == '{')
            throw PythonError.Value("Single '{' encountered in format string");
        if (markupFollows && !atEnd)
        {
            if (s[i] == c)
            {
                i++;
                markupFollows = false;
            }
            else
            {
                length--;
            }
        }
        literal = s.Substring(start, length);
        if (!markupFollows)
            return true;

        int nameStart = i;
        c = '\0';
        while (i < s.Length)
        {
            c = s[i++];
            if (c == '{')
                throw PythonError.Value("unexpected '{' in field name");
            if (c == '[')
            {
                while (i < s.Length && s[i] != ']')
                    i++;
                continue;
            }
            if (c is '}' or ':' or '!')
                break;
        }
        fieldName = s[nameStart..Math.Max(nameStart, i - 1)];
        if (c is '!' or ':')
        {
            if (c == '!')
            {
                if (i >= s.Length)
                    throw PythonError.Value("end of string while looking for conversion specifier");
                conversion = s[i++];
                if (i < s.Length)
                {
                    c = s[i++];
                    if (c == '}')
                        return true;
                    if (c != ':')
                        throw PythonError.Value("expected ':' after conversion specifier");
                }
            }
            int specStart = i, count = 1;
            while (i < s.Length)
            {
                c = s[i++];
                if (c == '{')
                {
                    count++;
                }
                else if (c == '}' && --count == 0)
                {
                    spec = s[specStart..(i - 1)];
                    return true;
                }
            }
            throw PythonError.Value("unmatched '{' in format spec");
        }
        if (c != '}')
            throw PythonError.Value("expected '}' before end of string");
        return true;
    }

    // string.Formatter.get_field with the sandbox's getattr/getitem for the ".attr" and "[key]" parts.
    private static object? GetField(string name, IReadOnlyList<object?> args, PyDict kwargs, TemplateRenderer renderer)
    {
        int end = 0;
        while (end < name.Length && name[end] is not ('.' or '['))
            end++;
        string first = name[..end];
        object? value;
        if (first.Length > 0 && first.All(char.IsAsciiDigit))
        {
            int index = int.TryParse(first, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int parsed) ? parsed : int.MaxValue;
            if (index >= args.Count)
                throw new PythonError(ChatTemplateErrorKind.Index, "tuple index out of range");
            value = args[index];
        }
        else if (!kwargs.TryGetValue(first, out value))
        {
            throw new PythonError(ChatTemplateErrorKind.Key, PythonRepr.ReprString(first));
        }

        int i = end;
        while (i < name.Length)
        {
            if (name[i] == '.')
            {
                int stop = i + 1;
                while (stop < name.Length && name[stop] is not ('.' or '['))
                    stop++;
                string attribute = name[(i + 1)..stop];
                if (attribute.Length == 0)
                    throw PythonError.Value("Empty attribute in format string");
                value = renderer.GetAttribute(value, attribute);
                i = stop;
            }
            else
            {
                int close = name.IndexOf(']', i);
                if (close < 0)
                    throw PythonError.Value("Missing ']' in format string");
                string key = name[(i + 1)..close];
                if (key.Length == 0)
                    throw PythonError.Value("Empty attribute in format string");
                object? keyValue = key.All(char.IsAsciiDigit) ? long.Parse(key, System.Globalization.CultureInfo.InvariantCulture) : key;
                value = renderer.GetItem(value, keyValue);
                i = close + 1;
                if (i < name.Length && name[i] is not ('.' or '['))
                    throw PythonError.Value("Only '.' or '[' may follow ']' in format field specifier");
            }
        }
        return value;
    }

    /// <summary>Python's built-in <c>format(value, spec)</c>.</summary>
    public static string FormatValue(object? value, string spec, ExecutionBudget? budget = null)
    {
        switch (value)
        {
            case string or Markup:
                return FormatString(PythonOps.AsString(value)!, spec, budget);
            case bool b when spec.Length == 0:
                return b ? "True" : "False";
            case long or BigInteger or bool:
                return FormatInteger(PythonOps.ToBig(value), spec, budget);
            case double d:
                return FormatFloat(d, spec, budget);
            default:
                if (spec.Length > 0)
                    throw PythonError.Type($"unsupported format string passed to {PythonOps.TypeName(value)}.__format__");
                return PythonRepr.Str(value);
        }
    }

    private sealed record Spec(int Fill, char Align, char Sign, bool Alternate, bool Zero, long Width, char Grouping, long Precision, char Type, bool NoNegativeZero);

    private static Spec ParseSpec(string spec, ExecutionBudget? budget)
    {
        int[] cps = PythonStrings.ToCodePoints(spec);
        int i = 0;
        int fill = ' ';
        char align = '\0';
        if (cps.Length >= 2 && cps[1] is '<' or '>' or '=' or '^')
        {
            fill = cps[0];
            align = (char)cps[1];
            i = 2;
        }
        else if (cps.Length >= 1 && cps[0] is '<' or '>' or '=' or '^')
        {
            align = (char)cps[0];
            i = 1;
        }
        char sign = '\0';
        if (i < cps.Length && cps[i] is '+' or '-' or ' ')
            sign = (char)cps[i++];
        bool noNegativeZero = false;
        if (i < cps.Length && cps[i] == 'z')
        {
            noNegativeZero = true;
            i++;
        }
        bool alternate = false;
        if (i < cps.Length && cps[i] == '#')
        {
            alternate = true;
            i++;
        }
        bool zero = false;
        if (i < cps.Length && cps[i] == '0')
        {
            zero = true;
            i++;
        }
        long width = -1;
        while (i < cps.Length && cps[i] is >= '0' and <= '9')
            width = Math.Max(0, width) * 10 + (cps[i++] - '0');
        char grouping = '\0';
        if (i < cps.Length && cps[i] is ',' or '_')
            grouping = (char)cps[i++];
        long precision = -1;
        if (i < cps.Length && cps[i] == '.')
        {
            i++;
            if (i >= cps.Length || cps[i] is not (>= '0' and <= '9'))
                throw PythonError.Value("Format specifier missing precision");
            precision = 0;
            while (i < cps.Length && cps[i] is >= '0' and <= '9')
                precision = precision * 10 + (cps[i++] - '0');
        }
        char type = '\0';
        if (i < cps.Length)
            type = (char)cps[i++];
        if (i < cps.Length)
            throw PythonError.Value("Invalid format specifier");
        if (zero && align == '\0')
        {
            fill = '0';
            align = '=';
        }
        budget?.CheckString(width); // '{:>1000000000}' is refused before it is padded
        return new Spec(fill, align, sign, alternate, zero, width, grouping, precision, type, noNegativeZero);
    }

    private static string FormatString(string value, string specText, ExecutionBudget? budget)
    {
        Spec spec = ParseSpec(specText, budget);
        if (spec.Type is not ('\0' or 's'))
            throw PythonError.Value($"Unknown format code '{spec.Type}' for object of type 'str'");
        if (spec.Sign != '\0')
            throw PythonError.Value("Sign not allowed in string format specifier");
        if (spec.Alternate)
            throw PythonError.Value("Alternate form (#) not allowed in string format specifier");
        if (spec.Align == '=')
            throw PythonError.Value("'=' alignment not allowed in string format specifier");
        if (spec.Precision >= 0 && PythonStrings.CodePointCount(value) > spec.Precision)
            value = PythonStrings.Substring(value, 0, (int)spec.Precision);
        return Align(value, spec, defaultAlign: '<', signLength: 0);
    }

    private static string FormatInteger(BigInteger value, string specText, ExecutionBudget? budget)
    {
        Spec spec = ParseSpec(specText, budget);
        if (spec.Type is 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or '%')
            return FormatFloat(PythonOps.BigToDouble(value), specText, budget);
        if (spec.Precision >= 0)
            throw PythonError.Value("Precision not allowed in integer format specifier");
        string digits;
        BigInteger magnitude = BigInteger.Abs(value);
        switch (spec.Type)
        {
            case '\0' or 'd' or 'n': digits = magnitude.ToString(System.Globalization.CultureInfo.InvariantCulture); break;
            case 'b': digits = ToBinary(magnitude); break;
            case 'o': digits = PercentFormatter.ToRadix(magnitude, 8, false); break;
            case 'x': digits = PercentFormatter.ToRadix(magnitude, 16, false); break;
            case 'X': digits = PercentFormatter.ToRadix(magnitude, 16, true); break;
            case 'c':
                if (value < 0 || value > 0x10FFFF)
                    throw new PythonError(ChatTemplateErrorKind.Overflow, "%c arg not in range(0x110000)");
                return Align(PythonStrings.CodePointToString((int)value), spec, defaultAlign: '<', signLength: 0);
            default:
                throw PythonError.Value($"Unknown format code '{spec.Type}' for object of type 'int'");
        }
        if (spec.Grouping != '\0')
            digits = Group(digits, spec.Grouping, spec.Type is 'b' or 'o' or 'x' or 'X' ? 4 : 3);
        string prefix = spec.Alternate ? spec.Type switch { 'b' => "0b", 'o' => "0o", 'x' => "0x", 'X' => "0X", _ => "" } : "";
        string sign = value.Sign < 0 ? "-" : spec.Sign == '+' ? "+" : spec.Sign == ' ' ? " " : "";
        return AlignNumber(sign + prefix, digits, spec);
    }

    private static string ToBinary(BigInteger value)
    {
        if (value.IsZero)
            return "0";
        var builder = new StringBuilder();
        while (!value.IsZero)
        {
            builder.Insert(0, value.IsEven ? '0' : '1');
            value >>= 1;
        }
        return builder.ToString();
    }

    private static string FormatFloat(double value, string specText, ExecutionBudget? budget)
    {
        Spec spec = ParseSpec(specText, budget);
        string body;
        bool negative = double.IsNegative(value) && !double.IsNaN(value);
        double magnitude = Math.Abs(value);
        if (spec.Precision > PercentFormatter.MaxPrecision)
            throw ExecutionBudget.Exceeded($"a float precision of {spec.Precision} digits is more than {PercentFormatter.MaxPrecision}");
        int precision = spec.Precision < 0 ? 6 : (int)spec.Precision;
        switch (spec.Type)
        {
            case '\0':
                if (spec.Precision < 0)
                {
                    body = FloatFormatting.Repr(magnitude);
                }
                else
                {
                    // Like 'g' with CPython's Py_DTSF_ADD_DOT_0: exponent form from one digit earlier, and a ".0" on
                    // whole numbers written without one.
                    body = FloatFormatting.FormatGeneral(magnitude, Math.Max(1, precision), spec.Alternate, addDotZero: true);
                }
                break;
            case 'e' or 'E' or 'f' or 'F' or 'g' or 'G' or 'n':
                body = PercentFormatter.FormatFloat(magnitude, spec.Type == 'n' ? 'g' : spec.Type, spec.Alternate ? "#" : "", precision);
                break;
            case '%':
                {
                    double percent = magnitude * 100; // may overflow to inf, as in Python
                    body = (double.IsFinite(percent) ? FloatFormatting.FormatFixed(percent, precision) : PercentFormatter.FormatFloat(percent, 'f', "", precision)) + "%";
                }
                break;
            default:
                throw PythonError.Value($"Unknown format code '{spec.Type}' for object of type 'float'");
        }
        if (spec.NoNegativeZero && negative && body.Trim('0', '.', '%').Length == 0)
            negative = false;
        if (spec.Grouping != '\0')
        {
            int end = 0;
            while (end < body.Length && char.IsAsciiDigit(body[end]))
                end++;
            body = Group(body[..end], spec.Grouping, 3) + body[end..];
        }
        string sign = negative ? "-" : spec.Sign == '+' ? "+" : spec.Sign == ' ' ? " " : "";
        return AlignNumber(sign, body, spec);
    }

    private static string Group(string digits, char separator, int size)
    {
        var builder = new StringBuilder();
        for (int i = 0; i < digits.Length; i++)
        {
            if (i > 0 && (digits.Length - i) % size == 0)
                builder.Append(separator);
            builder.Append(digits[i]);
        }
        return builder.ToString();
    }

    private static string AlignNumber(string sign, string body, Spec spec)
    {
        if (spec.Align == '=' && spec.Width > sign.Length + body.Length)
        {
            string fill = PythonStrings.CodePointToString(spec.Fill);
            var builder = new StringBuilder(sign);
            for (long n = sign.Length + PythonStrings.CodePointCount(body); n < spec.Width; n++)
                builder.Append(fill);
            return builder.Append(body).ToString();
        }
        return Align(sign + body, spec, defaultAlign: '>', signLength: sign.Length);
    }

    private static string Align(string text, Spec spec, char defaultAlign, int signLength)
    {
        char align = spec.Align is '\0' or '=' ? defaultAlign : spec.Align;
        return PythonStrings.Pad(text, spec.Width, spec.Fill, align switch { '<' => -1, '>' => 1, _ => 2 }, budget: null);
}
}
