using System.Text;
using LlamaGen.Chat.Values;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>str</c> algorithms on .NET strings. Python strings are sequences of code points, so lengths, indices
/// and slices here count code points, not UTF-16 units (an emoji is one character); case mappings are Python's full
/// mappings; whitespace is Python's <c>isspace</c>.
/// </summary>
internal static class PythonStrings
{
    public static bool HasSurrogates(string s) => s.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF') >= 0;

    public static int CodePointCount(string s)
    {
        if (!HasSurrogates(s))
            return s.Length;
        int count = 0;
        for (int i = 0; i < s.Length; i++, count++)
            if (char.IsSurrogatePair(s, i))
                i++;
        return count;
    }

    /// <summary>The code points as ints (a lone surrogate is one code point, as in Python).</summary>
    public static int[] ToCodePoints(string s)
    {
        var result = new int[CodePointCount(s)];
        for (int i = 0, n = 0; i < s.Length; i++, n++)
        {
            if (char.IsSurrogatePair(s, i))
                result[n] = char.ConvertToUtf32(s[i], s[++i]);
            else
                result[n] = s[i];
        }
        return result;
    }

    public static string FromCodePoints(IEnumerable<int> codePoints)
    {
        var builder = new StringBuilder();
        foreach (int c in codePoints)
            AppendCodePoint(builder, c);
        return builder.ToString();
    }

    public static void AppendCodePoint(StringBuilder builder, int c)
    {
        if (c < 0x10000)
            builder.Append((char)c);
        else
            builder.Append(char.ConvertFromUtf32(c));
    }

    public static string CodePointToString(int c) => c < 0x10000 ? ((char)c).ToString() : char.ConvertFromUtf32(c);

    public static IEnumerable<object?> CodePoints(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsSurrogatePair(s, i))
            {
                yield return s.Substring(i, 2);
                i++;
            }
            else
            {
                yield return s[i].ToString();
            }
        }
    }

    /// <summary>The UTF-16 offset of code point <paramref name="index"/> (0..count).</summary>
    public static int Offset(string s, int index)
    {
        if (!HasSurrogates(s))
            return Math.Clamp(index, 0, s.Length);
        int offset = 0;
        for (int n = 0; n < index && offset < s.Length; n++)
            offset += char.IsSurrogatePair(s, offset) ? 2 : 1;
        return offset;
    }

    /// <summary>The code point index of UTF-16 offset <paramref name="offset"/>.</summary>
    public static int IndexOfOffset(string s, int offset)
    {
        if (!HasSurrogates(s))
            return offset;
        int n = 0;
        for (int i = 0; i < offset; i++, n++)
            if (char.IsSurrogatePair(s, i))
                i++;
        return n;
    }

    public static string Substring(string s, int start, int stop) // code point indices, clamped
    {
        int from = Offset(s, start), to = Offset(s, stop);
        return to > from ? s[from..to] : "";
    }

    // ---- case ----

    public static string Upper(string s)
    {
        var builder = new StringBuilder(s.Length);
        foreach (int c in ToCodePoints(s))
            UnicodeCaseTable.AppendUpper(builder, c);
        return builder.ToString();
    }

    public static string Lower(string s)
    {
        int[] cps = ToCodePoints(s);
        var builder = new StringBuilder(s.Length);
        for (int i = 0; i < cps.Length; i++)
            AppendLower(builder, cps, i);
        return builder.ToString();
    }

    // Python lowers a capital sigma to the final form at the end of a word (Unicode's Final_Sigma condition).
    private static void AppendLower(StringBuilder builder, int[] cps, int i)
    {
        if (cps[i] == 0x3A3 && IsFinalSigma(cps, i))
            builder.Append('\u03C2');
        else
            UnicodeCaseTable.AppendLower(builder, cps[i]);
    }

    private static bool IsFinalSigma(int[] cps, int i)
    {
        int j = i - 1;
        while (j >= 0 && PythonChars.IsCaseIgnorable(cps[j]))
            j--;
        if (j < 0 || !PythonChars.IsCased(cps[j]))
            return false;
        j = i + 1;
        while (j < cps.Length && PythonChars.IsCaseIgnorable(cps[j]))
            j++;
        return j == cps.Length || !PythonChars.IsCased(cps[j]);
    }

    /// <summary>Python's <c>str.title</c>: title case after an uncased character, lower case after a cased one.</summary>
    public static string Title(string s)
    {
        int[] cps = ToCodePoints(s);
        var builder = new StringBuilder(s.Length);
        bool previousCased = false;
        for (int i = 0; i < cps.Length; i++)
        {
            if (previousCased)
                AppendLower(builder, cps, i);
            else
                UnicodeCaseTable.AppendTitle(builder, cps[i]);
            previousCased = PythonChars.IsCased(cps[i]);
        }
        return builder.ToString();
    }

    /// <summary>Python's <c>str.capitalize</c>: the first character in title case, the rest lower case.</summary>
    public static string Capitalize(string s)
    {
        int[] cps = ToCodePoints(s);
        var builder = new StringBuilder(s.Length);
        for (int i = 0; i < cps.Length; i++)
        {
            if (i == 0)
                UnicodeCaseTable.AppendTitle(builder, cps[i]);
            else
                AppendLower(builder, cps, i);
        }
        return builder.ToString();
    }

    /// <summary>Python's <c>str.casefold</c>: lower case, then the full case foldings that differ from it (ß to ss...).</summary>
    public static string CaseFold(string s)
    {
        var builder = new StringBuilder(s.Length);
        foreach (int c in ToCodePoints(s))
            UnicodeCaseTable.AppendFold(builder, c);
        return builder.ToString();
    }

    public static string SwapCase(string s)
    {
        int[] cps = ToCodePoints(s);
        var builder = new StringBuilder(s.Length);
        for (int i = 0; i < cps.Length; i++)
        {
            if (UnicodeCaseTable.IsUpper(cps[i]))
                AppendLower(builder, cps, i);
            else if (UnicodeCaseTable.IsLower(cps[i]))
                UnicodeCaseTable.AppendUpper(builder, cps[i]);
            else
                AppendCodePoint(builder, cps[i]);
        }
        return builder.ToString();
    }

    public static bool IsLower(string s) => AllCasedAre(s, UnicodeCaseTable.IsLower, UnicodeCaseTable.IsUpper);

    public static bool IsUpper(string s) => AllCasedAre(s, UnicodeCaseTable.IsUpper, UnicodeCaseTable.IsLower);

    // str.islower/isupper: at least one cased character, and none of the other case or title case.
    private static bool AllCasedAre(string s, Func<int, bool> wanted, Func<int, bool> other)
    {
        bool cased = false;
        foreach (int c in ToCodePoints(s))
        {
            if (other(c) || UnicodeCaseTable.IsTitle(c))
                return false;
            if (wanted(c))
                cased = true;
        }
        return cased;
    }

    public static bool IsTitle(string s)
    {
        bool cased = false, previousCased = false;
        foreach (int c in ToCodePoints(s))
        {
            if (UnicodeCaseTable.IsUpper(c) || UnicodeCaseTable.IsTitle(c))
            {
                if (previousCased)
                    return false;
                previousCased = cased = true;
            }
            else if (UnicodeCaseTable.IsLower(c))
            {
                if (!previousCased)
                    return false;
                previousCased = cased = true;
            }
            else
            {
                previousCased = false;
            }
        }
        return cased;
    }

    public static bool All(string s, Func<int, bool> predicate)
    {
        if (s.Length == 0)
            return false;
        foreach (int c in ToCodePoints(s))
            if (!predicate(c))
                return false;
        return true;
    }

    // ---- strip, split ----

    public static string Strip(string s, string? chars, bool left, bool right)
    {
        int[] cps = ToCodePoints(s);
        HashSet<int>? set = chars is null ? null : [.. ToCodePoints(chars)];
        bool Strippable(int c) => set is null ? PythonChars.IsSpace(c) : set.Contains(c);
        int start = 0, end = cps.Length;
        if (left)
            while (start < end && Strippable(cps[start]))
                start++;
        if (right)
            while (end > start && Strippable(cps[end - 1]))
                end--;
        if (start == 0 && end == cps.Length)
            return s;
        return FromCodePoints(cps[start..end]);
    }

    public static List<object?> Split(string s, string? separator, long maxSplit)
    {
        var result = new List<object?>();
        if (separator is null)
        {
            int[] cps = ToCodePoints(s);
            int i = 0;
            while (true)
            {
                while (i < cps.Length && PythonChars.IsSpace(cps[i]))
                    i++;
                if (i == cps.Length)
                    break;
                if (maxSplit >= 0 && result.Count == maxSplit)
                {
                    // Python keeps the rest as it is, trailing whitespace included.
                    result.Add(FromCodePoints(cps[i..]));
                    break;
                }
                int start = i;
                while (i < cps.Length && !PythonChars.IsSpace(cps[i]))
                    i++;
                result.Add(FromCodePoints(cps[start..i]));
            }
            return result;
        }
        if (separator.Length == 0)
            throw PythonError.Value("empty separator");
        int from = 0;
        while (maxSplit < 0 || result.Count < maxSplit)
        {
            int at = s.IndexOf(separator, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            result.Add(s[from..at]);
            from = at + separator.Length;
        }
        result.Add(s[from..]);
        return result;
    }

    public static List<object?> RSplit(string s, string? separator, long maxSplit)
    {
        if (maxSplit < 0)
            return Split(s, separator, -1);
        var result = new List<object?>();
        if (separator is null)
        {
            int[] cps = ToCodePoints(s);
            int i = cps.Length;
            while (true)
            {
                while (i > 0 && PythonChars.IsSpace(cps[i - 1]))
                    i--;
                if (i == 0)
                    break;
                if (result.Count == maxSplit)
                {
                    result.Add(FromCodePoints(cps[..i]));
                    break;
                }
                int end = i;
                while (i > 0 && !PythonChars.IsSpace(cps[i - 1]))
                    i--;
                result.Add(FromCodePoints(cps[i..end]));
            }
            result.Reverse();
            return result;
        }
        if (separator.Length == 0)
            throw PythonError.Value("empty separator");
        int to = s.Length;
        while (result.Count < maxSplit)
        {
            int at = to - separator.Length < 0 ? -1 : s.LastIndexOf(separator, to - 1, to, StringComparison.Ordinal);
            if (at < 0)
                break;
            result.Add(s[(at + separator.Length)..to]);
            to = at;
        }
        result.Add(s[..to]);
        result.Reverse();
        return result;
    }

    public static List<object?> SplitLines(string s, bool keepEnds)
    {
        var result = new List<object?>();
        int start = 0, i = 0;
        while (i < s.Length)
        {
            char c = s[i];
            if (!PythonChars.IsLineBreak(c))
            {
                i++;
                continue;
            }
            int eol = i + (c == '\r' && i + 1 < s.Length && s[i + 1] == '\n' ? 2 : 1);
            result.Add(keepEnds ? s[start..eol] : s[start..i]);
            start = i = eol;
        }
        if (start < s.Length)
            result.Add(s[start..]);
        return result;
    }

    // ---- search ----

    /// <summary>Python's <c>str.find</c>/<c>rfind</c> with optional code point bounds: the code point index or -1.</summary>
    public static long Find(string s, string sub, object? start, object? end, bool fromRight)
    {
        var (lo, hi) = Bounds(s, start, end);
        if (hi - lo < CodePointCount(sub))
            return -1;
        string range = Substring(s, lo, hi);
        int at = sub.Length == 0
            ? (fromRight ? range.Length : 0)
            : fromRight ? range.LastIndexOf(sub, StringComparison.Ordinal) : range.IndexOf(sub, StringComparison.Ordinal);
        return at < 0 ? -1 : lo + IndexOfOffset(range, at);
    }

    public static long Count(string s, string sub, object? start, object? end)
    {
        var (lo, hi) = Bounds(s, start, end);
        if (hi - lo < CodePointCount(sub))
            return 0;
        if (sub.Length == 0)
            return hi - lo + 1;
        string range = Substring(s, lo, hi);
        long count = 0;
        for (int at = range.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = range.IndexOf(sub, at + sub.Length, StringComparison.Ordinal))
            count++;
        return count;
    }

    /// <summary>CPython's ADJUST_INDICES: negative bounds count from the end, the end is clamped to the length; the
    /// start may stay past the end (then nothing is found).</summary>
    public static (int Start, int End) Bounds(string s, object? start, object? end)
    {
        int length = CodePointCount(s);
        long lo = start is null ? 0 : PythonSlice.ToIndex(start);
        long hi = end is null ? length : PythonSlice.ToIndex(end);
        if (hi > length)
            hi = length;
        else if (hi < 0)
            hi = Math.Max(0, hi + length);
        if (lo < 0)
            lo = Math.Max(0, lo + length);
        return ((int)Math.Min(lo, int.MaxValue), (int)hi);
    }

    public static string Replace(string s, string old, string replacement, long count, Evaluation.ExecutionBudget budget)
    {
        if (count == 0)
            return s;
        if (old.Length == 0)
        {
            // Python inserts the replacement before every character and at the end.
            int[] cps = ToCodePoints(s);
            long inserts = count < 0 ? cps.Length + 1 : Math.Min(count, cps.Length + 1);
            budget.CheckString(s.Length + inserts * replacement.Length);
            var builder = new StringBuilder();
            for (int i = 0; i < cps.Length; i++)
            {
                if (i < inserts)
                    builder.Append(replacement);
                AppendCodePoint(builder, cps[i]);
            }
            if (cps.Length < inserts)
                builder.Append(replacement);
            return builder.ToString();
        }
        var output = new StringBuilder();
        int from = 0;
        long done = 0;
        while (count < 0 || done < count)
        {
            int at = s.IndexOf(old, from, StringComparison.Ordinal);
            if (at < 0)
                break;
            output.Append(s, from, at - from).Append(replacement);
            budget.CheckString(output.Length + (s.Length - at));
            from = at + old.Length;
            done++;
        }
        if (done == 0)
            return s;
        output.Append(s, from, s.Length - from);
        return output.ToString();
    }

    // ---- padding ----

    /// <summary>Pads to <paramref name="width"/> code points: mode -1 left-aligns (ljust), 1 right-aligns (rjust), 0 centres
    /// as <c>str.center</c> does, 2 centres as format's "^" does (the odd space goes right).</summary>
    public static string Pad(string s, long width, int fill, int mode, Evaluation.ExecutionBudget? budget)
    {
        int length = CodePointCount(s);
        if (width <= length)
            return s;
        budget?.CheckString(width * (fill >= 0x10000 ? 2 : 1));
        long margin = width - length;
        long left = mode switch
        {
            -1 => 0,
            1 => margin,
            2 => margin / 2,
            // CPython's center: the extra space goes left when both margin and width are odd.
            _ => margin / 2 + (margin & width & 1),
        };
        string fillText = CodePointToString(fill);
        var builder = new StringBuilder();
        for (long i = 0; i < left; i++)
            builder.Append(fillText);
        builder.Append(s);
        for (long i = 0; i < margin - left; i++)
            builder.Append(fillText);
        return builder.ToString();
    }

    public static string ZFill(string s, long width, Evaluation.ExecutionBudget budget)
    {
        int length = CodePointCount(s);
        if (width <= length)
            return s;
        budget.CheckString(width);
        var zeros = new string('0', (int)(width - length));
        if (s.Length > 0 && s[0] is '+' or '-')
            return s[0] + zeros + s[1..];
        return zeros + s;
    }

    public static string ExpandTabs(string s, long tabSize, Evaluation.ExecutionBudget budget)
    {
        var builder = new StringBuilder();
        long column = 0;
        foreach (int c in ToCodePoints(s))
        {
            if (c == '\t')
            {
                if (tabSize > 0)
                {
                    long spaces = tabSize - column % tabSize;
                    budget.CheckString(builder.Length + spaces);
                    builder.Append(' ', (int)spaces);
                    column += spaces;
                }
            }
            else
            {
                AppendCodePoint(builder, c);
                column = c is '\n' or '\r' ? 0 : column + 1;
            }
        }
        return builder.ToString();
    }
}
