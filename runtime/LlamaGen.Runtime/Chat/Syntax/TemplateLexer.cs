using System.Globalization;
using System.Numerics;
using System.Text;
using LlamaGen.Chat.Python;

namespace LlamaGen.Chat.Syntax;

/// <summary>
/// jinja2's lexer (<c>jinja2/lexer.py</c>) for the Hugging Face settings: default delimiters, <c>trim_blocks</c>,
/// <c>lstrip_blocks</c>, no line statements, newlines normalized to <c>\n</c> and one trailing newline dropped.
/// Written as a hand-made state machine with the same rules and rule order as jinja2's regular expressions, so it
/// cuts, strips and reports errors where jinja2 does. Tokens are produced lazily, as jinja2's generator does, so a
/// parse error early in a template is reported before a lexing error further down.
/// </summary>
internal sealed class TemplateLexer
{
    private readonly string _source;
    private readonly int[] _lineStarts;
    private int _pos;
    // Whether the previous match ended with a newline: lstrip_blocks then also applies at the very start of the text.
    private bool _lineStarting = true;
    private readonly Stack<char> _balance = new();

    public TemplateLexer(string template)
    {
        _source = NormalizeNewlines(template);
        var starts = new List<int> { 0 };
        for (int i = 0; i < _source.Length; i++)
            if (_source[i] == '\n')
                starts.Add(i + 1);
        _lineStarts = [.. starts];
    }

    /// <summary>The template as the lexer sees it: every <c>\r\n</c>, <c>\r</c> and <c>\n</c> a <c>\n</c>, one trailing newline removed.</summary>
    public string Source => _source;

    public SourcePosition PositionAt(int offset)
    {
        int line = Array.BinarySearch(_lineStarts, offset);
        if (line < 0)
            line = ~line - 1;
        return new SourcePosition(line + 1, offset - _lineStarts[line] + 1);
    }

    private static string NormalizeNewlines(string template)
    {
        var builder = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c == '\r')
            {
                if (i + 1 < template.Length && template[i + 1] == '\n')
                    i++;
                builder.Append('\n');
            }
            else
            {
                builder.Append(c);
            }
        }
        if (builder.Length > 0 && builder[^1] == '\n')
            builder.Length--;
        return builder.ToString();
    }

    public IEnumerable<Token> Tokenize()
    {
        while (_pos < _source.Length)
        {
            int tag = FindTagStart(_pos);
            if (tag < 0)
            {
                yield return new Token(TokenKind.Data, _source[_pos..], null, PositionAt(_pos));
                _pos = _source.Length;
                _lineStarting = _source[^1] == '\n';
                yield break;
            }

            char opener = _source[tag + 1];
            int rawEnd = opener == '%' ? MatchRawBegin(tag) : -1;
            char sign = tag + 2 < _source.Length && _source[tag + 2] is '-' or '+' ? _source[tag + 2] : '\0';
            int tagEnd = rawEnd >= 0 ? rawEnd : tag + 2 + (sign != '\0' ? 1 : 0);

            int textStart = _pos;
            string text = _source[textStart..tag];
            if (sign == '-')
            {
                text = RStrip(text);
            }
            else if (sign != '+' && opener != '{')
            {
                // lstrip_blocks: drop spaces and tabs (any whitespace but newlines) between a line start and a block,
                // comment or raw tag, but never before a {{ variable }}.
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && IsAllSpace(text, lineStart))
                    text = text[..lineStart];
            }
            if (text.Length > 0)
                yield return new Token(TokenKind.Data, text, null, PositionAt(textStart));

            _lineStarting = _source[tagEnd - 1] == '\n';
            _pos = tagEnd;
            if (rawEnd >= 0)
            {
                yield return LexRawBody();
            }
            else if (opener == '#')
            {
                SkipComment(tag);
            }
            else
            {
                bool block = opener == '%';
                yield return new Token(block ? TokenKind.BlockBegin : TokenKind.VariableBegin, _source[tag..tagEnd], null, PositionAt(tag));
                foreach (Token token in LexTag(block))
                    yield return token;
            }
        }
    }

    // The earliest "{{", "{%" or "{#".
    private int FindTagStart(int from)
    {
        for (int i = _source.IndexOf('{', from); i >= 0 && i + 1 < _source.Length; i = _source.IndexOf('{', i + 1))
            if (_source[i + 1] is '{' or '%' or '#')
                return i;
        return -1;
    }

    // {%(-|+|)\s*raw\s*(?:-%}\s*|%}) at `start`: the offset after it, or -1. No trim_blocks newline here, as in jinja2.
    private int MatchRawBegin(int start)
    {
        int i = start + 2;
        if (i < _source.Length && _source[i] is '-' or '+')
            i++;
        i = SkipSpace(i);
        if (string.CompareOrdinal(_source, i, "raw", 0, 3) != 0)
            return -1;
        i = SkipSpace(i + 3);
        if (At(i, "-%}"))
            return SkipSpace(i + 3);
        return At(i, "%}") ? i + 2 : -1;
    }

    private Token LexRawBody()
    {
        int bodyStart = _pos;
        for (int i = _source.IndexOf("{%", _pos, StringComparison.Ordinal); i >= 0; i = _source.IndexOf("{%", i + 1, StringComparison.Ordinal))
        {
            int j = i + 2;
            char sign = j < _source.Length && _source[j] is '-' or '+' ? _source[j] : '\0';
            if (sign != '\0')
                j++;
            j = SkipSpace(j);
            if (!At(j, "endraw"))
                continue;
            int end = MatchBlockEnd(SkipSpace(j + 6));
            if (end < 0)
                continue;

            string text = _source[bodyStart..i];
            if (sign == '-')
            {
                text = RStrip(text);
            }
            else if (sign != '+')
            {
                int lineStart = text.LastIndexOf('\n') + 1;
                if ((lineStart > 0 || _lineStarting) && lineStart < text.Length && IsAllSpace(text, lineStart))
                    text = text[..lineStart];
            }
            _lineStarting = _source[end - 1] == '\n';
            _pos = end;
            return new Token(TokenKind.Data, text, null, PositionAt(bodyStart));
        }
        throw Error("Missing end of raw directive", _pos);
    }

    private void SkipComment(int tag)
    {
        for (int i = _pos; i < _source.Length; i++)
        {
            int end = -1;
            if (At(i, "+#}"))
                end = i + 3;
            else if (At(i, "-#}"))
                end = SkipSpace(i + 3);
            else if (At(i, "#}"))
                end = i + 2 + (i + 2 < _source.Length && _source[i + 2] == '\n' ? 1 : 0);
            if (end < 0)
                continue;
            _lineStarting = _source[end - 1] == '\n';
            _pos = end;
            return;
        }
        throw Error("Missing end of comment tag", tag);
    }

    // "+%}" | "-%}\s*" | "%}\n?" (trim_blocks) at i: the offset after it, or -1.
    private int MatchBlockEnd(int i)
    {
        if (At(i, "+%}"))
            return i + 3;
        if (At(i, "-%}"))
            return SkipSpace(i + 3);
        if (At(i, "%}"))
            return i + 2 + (i + 2 < _source.Length && _source[i + 2] == '\n' ? 1 : 0);
        return -1;
    }

    private int MatchVariableEnd(int i)
    {
        if (At(i, "-}}"))
            return SkipSpace(i + 3);
        return At(i, "}}") ? i + 2 : -1;
    }

    private IEnumerable<Token> LexTag(bool block)
    {
        _balance.Clear();
        while (true)
        {
            // End tags count only when brackets are balanced, so "}}" can close a dict and then the tag.
            if (_balance.Count == 0)
            {
                int end = block ? MatchBlockEnd(_pos) : MatchVariableEnd(_pos);
                if (end >= 0)
                {
                    var endToken = new Token(block ? TokenKind.BlockEnd : TokenKind.VariableEnd, _source[_pos..end], null, PositionAt(_pos));
                    _lineStarting = _source[end - 1] == '\n';
                    _pos = end;
                    yield return endToken;
                    yield break;
                }
            }
            if (_pos >= _source.Length)
                yield break; // the template ends inside a tag: the parser reports what it was looking for

            int start = _pos;
            if (PythonChars.IsSpace(_source[_pos]))
            {
                _pos = SkipSpace(_pos);
                continue;
            }
            if (TryLexNumber(out Token number))
            {
                yield return number;
                continue;
            }
            if (TryLexName(out Token name))
            {
                yield return name;
                continue;
            }
            if (_source[_pos] is '\'' or '"')
            {
                int close = FindStringEnd(_pos);
                if (close >= 0)
                {
                    string raw = _source[(_pos + 1)..close];
                    string value;
                    try
                    {
                        value = StringLiteral.Decode(raw);
                    }
                    catch (FormatException e)
                    {
                        throw Error(e.Message, start);
                    }
                    _pos = close + 1;
                    yield return new Token(TokenKind.String, value, null, PositionAt(start));
                    continue;
                }
            }
            if (TryLexOperator(out TokenKind op))
            {
                yield return new Token(op, Token.OperatorText(op), null, PositionAt(start));
                continue;
            }
            throw Error($"unexpected char {PythonRepr.ReprString(char.ConvertFromUtf32(CodePointAt(_pos)))} at {_pos}", _pos);
        }
    }

    private bool TryLexOperator(out TokenKind kind)
    {
        kind = default;
        char c = _source[_pos];
        char next = _pos + 1 < _source.Length ? _source[_pos + 1] : '\0';
        int length = 2;
        switch (c, next)
        {
            case ('*', '*'): kind = TokenKind.Pow; break;
            case ('/', '/'): kind = TokenKind.FloorDiv; break;
            case ('=', '='): kind = TokenKind.Eq; break;
            case ('!', '='): kind = TokenKind.Ne; break;
            case ('>', '='): kind = TokenKind.GtEq; break;
            case ('<', '='): kind = TokenKind.LtEq; break;
            default:
                length = 1;
                switch (c)
                {
                    case '+': kind = TokenKind.Add; break;
                    case '-': kind = TokenKind.Sub; break;
                    case '/': kind = TokenKind.Div; break;
                    case '*': kind = TokenKind.Mul; break;
                    case '%': kind = TokenKind.Mod; break;
                    case '~': kind = TokenKind.Tilde; break;
                    case '[': kind = TokenKind.LBracket; break;
                    case ']': kind = TokenKind.RBracket; break;
                    case '(': kind = TokenKind.LParen; break;
                    case ')': kind = TokenKind.RParen; break;
                    case '{': kind = TokenKind.LBrace; break;
                    case '}': kind = TokenKind.RBrace; break;
                    case '>': kind = TokenKind.Gt; break;
                    case '<': kind = TokenKind.Lt; break;
                    case '=': kind = TokenKind.Assign; break;
                    case '.': kind = TokenKind.Dot; break;
                    case ':': kind = TokenKind.Colon; break;
                    case '|': kind = TokenKind.Pipe; break;
                    case ',': kind = TokenKind.Comma; break;
                    case ';': kind = TokenKind.Semicolon; break;
                    default: return false;
                }
                break;
        }

        switch (kind)
        {
            case TokenKind.LBrace: _balance.Push('}'); break;
            case TokenKind.LParen: _balance.Push(')'); break;
            case TokenKind.LBracket: _balance.Push(']'); break;
            case TokenKind.RBrace or TokenKind.RParen or TokenKind.RBracket:
                if (_balance.Count == 0)
                    throw Error($"unexpected '{c}'", _pos);
                char expected = _balance.Pop();
                if (expected != c)
                    throw Error($"unexpected '{c}', expected '{expected}'", _pos);
                break;
        }
        _pos += length;
        return true;
    }

    // A quoted string: '([^'\\]*(?:\\.[^'\\]*)*)' (or with double quotes); the offset of the closing quote or -1.
    private int FindStringEnd(int open)
    {
        char quote = _source[open];
        for (int i = open + 1; i < _source.Length; i++)
        {
            if (_source[i] == '\\')
                i++;
            else if (_source[i] == quote)
                return i;
        }
        return -1;
    }

    private bool TryLexName(out Token token)
    {
        token = default;
        int start = _pos, i = _pos;
        while (i < _source.Length)
        {
            int c = CodePointAt(i);
            if (!PythonChars.IsNameChar(c))
                break;
            i += c >= 0x10000 ? 2 : 1;
        }
        if (i == start)
            return false;
        string name = _source[start..i];
        if (!IsIdentifier(name))
            throw Error("Invalid character in identifier", start);
        _pos = i;
        token = new Token(TokenKind.Name, name, null, PositionAt(start));
        return true;
    }

    private static bool IsIdentifier(string name)
    {
        for (int i = 0; i < name.Length; i += char.IsSurrogatePair(name, i) ? 2 : 1)
        {
            int c = char.ConvertToUtf32(name, i);
            if (i == 0 ? !PythonChars.IsIdentifierStart(c) : !PythonChars.IsIdentifierContinue(c))
                return false;
        }
        return true;
    }

    // The float rule, then the integer rule, as jinja2 orders them.
    private bool TryLexNumber(out Token token)
    {
        token = default;
        int start = _pos;
        if (DecimalAt(start) < 0)
            return false;

        // (?<!\.) -- a float never starts right after a dot, so "a.0.1" reads as two item lookups.
        if (start == 0 || _source[start - 1] != '.')
        {
            int end = MatchFloat(start);
            if (end > 0)
            {
                string digits = DigitsToAscii(_source[start..end]);
                double value = double.Parse(digits, NumberStyles.Float, CultureInfo.InvariantCulture);
                _pos = end;
                token = new Token(TokenKind.Float, _source[start..end], value, PositionAt(start));
                return true;
            }
        }

        int intEnd = MatchInteger(start, out int radix, out int digitsStart);
        string text = _source[start..intEnd];
        int digitCount = text.Length - (digitsStart - start) - text.Count(c => c == '_');
        if (radix == 10 && digitCount > PythonRepr.MaxIntDigits)
            throw new ChatTemplateException(ChatTemplateErrorKind.Value,
                $"Exceeds the limit ({PythonRepr.MaxIntDigits} digits) for integer string conversion: value has {digitCount} digits; use sys.set_int_max_str_digits() to increase the limit",
                PositionAt(start).Line, PositionAt(start).Column);
        BigInteger number = BigInteger.Zero;
        for (int i = digitsStart; i < intEnd; i++)
        {
            if (_source[i] == '_')
                continue;
            int d = radix == 10 ? DecimalAt(i) : StringLiteral.HexDigit(_source[i]);
            if (char.IsSurrogate(_source[i]))
                i++;
            number = number * radix + d;
        }
        _pos = intEnd;
        token = new Token(TokenKind.Integer, text, number >= long.MinValue && number <= long.MaxValue ? (object)(long)number : number, PositionAt(start));
        return true;
    }

    private int MatchFloat(int start)
    {
        int i = MatchDigitGroups(start);
        int afterFraction = -1;
        if (At(i, ".") && DecimalAt(i + 1) >= 0)
            afterFraction = MatchDigitGroups(i + 1);
        int exponentAt = afterFraction >= 0 ? afterFraction : i;
        int exponentEnd = MatchExponent(exponentAt);
        if (exponentEnd < 0 && afterFraction >= 0)
            exponentEnd = MatchExponent(i); // the regex backtracks to "digits e digits" when there is no exponent after the fraction
        if (exponentEnd >= 0)
            return exponentEnd;
        return afterFraction;
    }

    private int MatchExponent(int i)
    {
        if (i >= _source.Length || _source[i] is not ('e' or 'E'))
            return -1;
        i++;
        if (i < _source.Length && _source[i] is '+' or '-')
            i++;
        return DecimalAt(i) >= 0 ? MatchDigitGroups(i) : -1;
    }

    // (\d+_)*\d+ starting at a digit.
    private int MatchDigitGroups(int i)
    {
        while (true)
        {
            while (DecimalAt(i) >= 0)
                i += char.IsSurrogate(_source[i]) ? 2 : 1;
            if (At(i, "_") && DecimalAt(i + 1) >= 0)
            {
                i++;
                continue;
            }
            return i;
        }
    }

    private int MatchInteger(int start, out int radix, out int digitsStart)
    {
        if (_source[start] == '0' && start + 1 < _source.Length)
        {
            char prefix = char.ToLowerInvariant(_source[start + 1]);
            radix = prefix switch { 'b' => 2, 'o' => 8, 'x' => 16, _ => 0 };
            if (radix != 0)
            {
                int i = start + 2, end = -1;
                while (true)
                {
                    int j = At(i, "_") ? i + 1 : i;
                    if (j < _source.Length && StringLiteral.HexDigit(_source[j]) is int v && v >= 0 && v < radix)
                    {
                        i = j + 1;
                        end = i;
                    }
                    else
                    {
                        break;
                    }
                }
                if (end > 0)
                {
                    digitsStart = start + 2;
                    return end;
                }
            }
        }
        radix = 10;
        digitsStart = start;
        if (DecimalAt(start) == 0)
        {
            // 0(_?0)*
            int i = start + 1;
            while (true)
            {
                int j = At(i, "_") ? i + 1 : i;
                if (j < _source.Length && _source[j] == '0')
                    i = j + 1;
                else
                    return i;
            }
        }
        // [1-9](_?\d)*
        int k = start + (char.IsSurrogate(_source[start]) ? 2 : 1);
        while (true)
        {
            int j = At(k, "_") ? k + 1 : k;
            if (DecimalAt(j) >= 0)
                k = j + (char.IsSurrogate(_source[j]) ? 2 : 1);
            else
                return k;
        }
    }

    private int DecimalAt(int i) => i < _source.Length ? PythonChars.DecimalValue(CodePointAt(i)) : -1;

    private static string DigitsToAscii(string text)
    {
        var builder = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '_')
                continue;
            int c = char.IsSurrogatePair(text, i) ? char.ConvertToUtf32(text, i++) : text[i];
            int d = PythonChars.DecimalValue(c);
            builder.Append(d >= 0 ? (char)('0' + d) : (char)c);
        }
        return builder.ToString();
    }

    private int CodePointAt(int i) => char.IsSurrogatePair(_source, i) ? char.ConvertToUtf32(_source, i) : _source[i];

    private bool At(int i, string text) => i >= 0 && i + text.Length <= _source.Length && string.CompareOrdinal(_source, i, text, 0, text.Length) == 0;

    private int SkipSpace(int i)
    {
        while (i < _source.Length && PythonChars.IsSpace(_source[i]))
            i++;
        return i;
    }

    private static bool IsAllSpace(string text, int from)
    {
        for (int i = from; i < text.Length; i++)
            if (!PythonChars.IsSpace(text[i]))
                return false;
        return true;
    }

    private static string RStrip(string text)
    {
        int end = text.Length;
        while (end > 0 && PythonChars.IsSpace(text[end - 1]))
            end--;
        return text[..end];
    }

    private ChatTemplateException Error(string message, int offset)
    {
        var position = PositionAt(Math.Min(offset, Math.Max(0, _source.Length)));
        return new ChatTemplateException(ChatTemplateErrorKind.Syntax, message, position.Line, position.Column);
    }
}
