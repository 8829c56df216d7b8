using System.Text;

namespace LlamaGen.Tokenization;

/// <summary>
/// One of the pre-tokenizer regexes llama.cpp runs through <c>std::regex</c>/<c>std::wregex</c>, compiled for the subset
/// those presets use: a sequence of single-unit items (a literal, a bracket expression, <c>\s</c>, <c>\p{..}</c>), each
/// with a greedy quantifier (<c>?</c> <c>*</c> <c>+</c> <c>{n}</c> <c>{n,}</c> <c>{n,m}</c>), optionally ending in
/// <c>$</c>. Matching is ECMAScript's: the leftmost start, and there the first match of a backtracking search that tries
/// the most repetitions first. Anything outside the subset is refused when the pattern is built.
/// </summary>
/// <remarks>
/// <see cref="UsesCategories"/> decides, as llama.cpp does, whether the pattern runs over collapsed text (where a
/// category escape means its placeholder unit plus its ASCII members, see <see cref="PatternText"/>) or over wide code
/// points. <c>\s</c> is the C library's ASCII white space (tab, line feed, vertical tab, form feed, carriage return,
/// space); other white space reaches the pattern as a vertical tab.
/// </remarks>
internal sealed class SplitPattern
{
    private static readonly string[] CategoryEscapes = [@"\p{N}", @"\p{L}", @"\p{P}", @"\p{M}", @"\p{S}", @"\p{Lu}", @"\p{Ll}", @"\p{Lt}", @"\p{Lm}", @"\p{Lo}"];

    private readonly Item[] _items;
    private readonly bool _anchoredAtEnd;

    private readonly record struct Item(CodePointSet Set, int Min, int Max);

    public SplitPattern(string pattern)
    {
        Pattern = pattern;
        UsesCategories = CategoryEscapes.Any(e => pattern.Contains(e, StringComparison.Ordinal));
        if (UsesCategories && pattern.Any(c => c > 0x7F))
            throw new ArgumentException($"Pattern \"{pattern}\" mixes Unicode categories with non-ASCII characters, which llama.cpp refuses.");
        (_items, _anchoredAtEnd) = Parse(pattern, UsesCategories);
    }

    public string Pattern { get; }

    /// <summary>The pattern names a Unicode category, so it runs over collapsed text.</summary>
    public bool UsesCategories { get; }

    /// <summary>Finds the leftmost match in <c>units[from..end)</c>; the pattern never matches an empty string.</summary>
    public bool TryFind(ReadOnlySpan<int> units, int from, int end, ref RunCache cache, out int matchStart, out int matchEnd)
    {
        for (int start = from; start < end; start++)
        {
            if (TryMatch(units, 0, start, end, ref cache, out matchEnd))
            {
                matchStart = start;
                return true;
            }
        }
        matchStart = matchEnd = end;
        return false;
    }

    /// <summary>
    /// Where the last item's run of members ends, remembered across the starts of one search: an anchored pattern such
    /// as <c>\s+$</c> tried at every position of a long white-space run would otherwise rescan the run each time.
    /// </summary>
    public struct RunCache
    {
        internal int Start, End;
    }

    private bool TryMatch(ReadOnlySpan<int> units, int index, int position, int end, ref RunCache cache, out int matchEnd)
    {
        if (index == _items.Length)
        {
            matchEnd = position;
            return !_anchoredAtEnd || position == end;
        }
        Item item = _items[index];
        bool last = index == _items.Length - 1;
        int count;
        if (last && item.Max == int.MaxValue && position >= cache.Start && position < cache.End)
        {
            count = cache.End - position;
        }
        else
        {
            count = 0;
            while (count < item.Max && position + count < end && item.Set.Contains(units[position + count]))
                count++;
            if (last && item.Max == int.MaxValue)
                cache = new RunCache { Start = position, End = position + count };
        }
        if (count < item.Min)
        {
            matchEnd = position;
            return false;
        }
        if (last)
        {
            // Fewer repetitions end earlier, so they can only help an anchored pattern if the most already reached the end.
            matchEnd = position + count;
            return !_anchoredAtEnd || matchEnd == end;
        }
        for (int k = count; k >= item.Min; k--)
        {
            if (TryMatch(units, index + 1, position + k, end, ref cache, out matchEnd))
                return true;
        }
        matchEnd = position;
        return false;
    }

    private static (Item[] Items, bool Anchored) Parse(string pattern, bool collapsed)
    {
        int[] p = ToCodePoints(pattern);
        var items = new List<Item>();
        bool anchored = false;
        int i = 0;
        while (i < p.Length)
        {
            if (anchored)
                throw Unsupported(pattern, "'$' before the end");
            List<(int, int)> ranges;
            bool negated = false;
            switch (p[i])
            {
                case '$':
                    anchored = true;
                    i++;
                    continue;
                case '[':
                    i++;
                    if (i < p.Length && p[i] == '^')
                    {
                        negated = true;
                        i++;
                    }
                    ranges = ParseBracket(pattern, p, ref i, collapsed);
                    break;
                case '\\':
                    ranges = ParseEscape(pattern, p, ref i, collapsed, out _);
                    break;
                case '(' or ')' or '|' or '^' or '.' or '*' or '+' or '?' or '{' or '}':
                    throw Unsupported(pattern, $"'{(char)p[i]}'");
                default:
                    ranges = [(p[i], p[i])];
                    i++;
                    break;
            }
            (int min, int max) = ParseQuantifier(pattern, p, ref i);
            items.Add(new Item(new CodePointSet(ranges, negated), min, max));
        }
        if (items.Count == 0)
            throw Unsupported(pattern, "an empty pattern");
        if (items.All(item => item.Min == 0))
            throw Unsupported(pattern, "a pattern that matches the empty string");
        return (items.ToArray(), anchored);
    }

    private static List<(int, int)> ParseBracket(string pattern, int[] p, ref int i, bool collapsed)
    {
        var ranges = new List<(int, int)>();
        while (true)
        {
            if (i >= p.Length)
                throw Unsupported(pattern, "an unterminated '['");
            if (p[i] == ']')
            {
                i++;
                return ranges;
            }
            int low;
            if (p[i] == '\\')
            {
                var escaped = ParseEscape(pattern, p, ref i, collapsed, out bool isClass);
                if (isClass)
                {
                    ranges.AddRange(escaped);
                    continue;
                }
                low = escaped[0].Item1;
            }
            else
            {
                low = p[i++];
            }
            if (i + 1 < p.Length && p[i] == '-' && p[i + 1] != ']')
            {
                i++;
                int high;
                if (p[i] == '\\')
                {
                    var escaped = ParseEscape(pattern, p, ref i, collapsed, out bool isClass);
                    if (isClass)
                        throw Unsupported(pattern, "a class escape as a range end");
                    high = escaped[0].Item1;
                }
                else
                {
                    high = p[i++];
                }
                if (high < low)
                    throw Unsupported(pattern, $"the reversed range U+{low:X4}-U+{high:X4}");
                ranges.Add((low, high));
            }
            else
            {
                ranges.Add((low, low));
            }
        }
    }

    // An escape at p[i] == '\\'. Class escapes (\s, \p{..}) return their ranges with isClass set; any other escape is
    // the literal character (\r and \n are control characters, anything else stands for itself).
    private static List<(int, int)> ParseEscape(string pattern, int[] p, ref int i, bool collapsed, out bool isClass)
    {
        if (i + 1 >= p.Length)
            throw Unsupported(pattern, "a trailing backslash");
        int c = p[i + 1];
        isClass = false;
        switch (c)
        {
            case 's':
                i += 2;
                isClass = true;
                return [(0x09, 0x0D), (0x20, 0x20)];
            case 'p':
                int close = Array.IndexOf(p, '}', i);
                if (i + 2 >= p.Length || p[i + 2] != '{' || close < 0)
                    throw Unsupported(pattern, @"a malformed \p{...}");
                string name = string.Concat(p[(i + 3)..close].Select(x => (char)x));
                i = close + 1;
                isClass = true;
                if (!collapsed)
                    throw Unsupported(pattern, $@"\p{{{name}}} outside collapsed text");
                return CategoryRanges(pattern, name);
            case 'r':
                i += 2;
                return [(0x0D, 0x0D)];
            case 'n':
                i += 2;
                return [(0x0A, 0x0A)];
            case 't':
                i += 2;
                return [(0x09, 0x09)];
            default:
                if (c < 0x80 && char.IsAsciiLetterOrDigit((char)c))
                    throw Unsupported(pattern, $@"the escape \{(char)c}");
                i += 2;
                return [(c, c)];
        }
    }

    // A category in collapsed text: its placeholder unit plus its ASCII members, as llama.cpp rewrites the pattern.
    private static List<(int, int)> CategoryRanges(string pattern, string name) => name switch
    {
        "N" => [(PatternText.NumberPlaceholder, PatternText.NumberPlaceholder), ('0', '9')],
        "L" or "Lu" or "Ll" or "Lt" or "Lm" or "Lo" => [(PatternText.LetterPlaceholder, PatternText.LetterPlaceholder), ('A', 'Z'), ('a', 'z')],
        "P" => [(PatternText.PunctuationPlaceholder, PatternText.PunctuationPlaceholder),
            ('!', '#'), ('%', '*'), (',', '/'), (':', ';'), ('?', '@'), ('[', ']'), ('_', '_'), ('{', '{'), ('}', '}')],
        "M" => [(PatternText.MarkPlaceholder, PatternText.MarkPlaceholder)],
        // llama.cpp's ASCII symbols leave out '~'.
        "S" => [(PatternText.SymbolPlaceholder, PatternText.SymbolPlaceholder), ('$', '$'), ('+', '+'), ('<', '>'), ('^', '^'), ('`', '`'), ('|', '|')],
        _ => throw Unsupported(pattern, $@"the category \p{{{name}}}"),
    };

    private static (int Min, int Max) ParseQuantifier(string pattern, int[] p, ref int i)
    {
        if (i >= p.Length)
            return (1, 1);
        (int min, int max) quantifier;
        switch (p[i])
        {
            case '{':
                quantifier = ParseBraces(pattern, p, ref i);
                break;
            case '?':
                quantifier = (0, 1);
                i++;
                break;
            case '*':
                quantifier = (0, int.MaxValue);
                i++;
                break;
            case '+':
                quantifier = (1, int.MaxValue);
                i++;
                break;
            default:
                return (1, 1);
        }
        if (i < p.Length && p[i] is '?' or '+' or '*' or '{')
            throw Unsupported(pattern, "a lazy, possessive or repeated quantifier");
        return quantifier;
    }

    private static (int, int) ParseBraces(string pattern, int[] p, ref int i)
    {
        int close = Array.IndexOf(p, '}', i);
        if (close < 0)
            throw Unsupported(pattern, "an unterminated '{'");
        string body = string.Concat(p[(i + 1)..close].Select(x => (char)x));
        i = close + 1;
        string[] parts = body.Split(',');
        if (parts.Length is < 1 or > 2 || !int.TryParse(parts[0], out int min))
            throw Unsupported(pattern, $"the quantifier {{{body}}}");
        int max = parts.Length == 1 ? min : parts[1].Length == 0 ? int.MaxValue : int.TryParse(parts[1], out int m) ? m : -1;
        if (max < min)
            throw Unsupported(pattern, $"the quantifier {{{body}}}");
        return (min, max);
    }

    private static int[] ToCodePoints(string pattern)
    {
        var result = new List<int>(pattern.Length);
        foreach (Rune rune in pattern.EnumerateRunes())
            result.Add(rune.Value);
        return result.ToArray();
    }

    private static NotSupportedException Unsupported(string pattern, string what) =>
        new($"Pre-tokenizer pattern \"{pattern}\": {what} is outside the regex subset LlamaGen implements.");

    public override string ToString() => Pattern;
}
