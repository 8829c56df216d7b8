using System.Text.RegularExpressions;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>textwrap.wrap</c> as jinja2's <c>wordwrap</c> filter calls it (no tab expansion, whitespace kept,
/// whitespace dropped at line ends): the same chunking regular expression (breaking after hyphens when asked) and the
/// same greedy line filling and long-word breaking.
/// </summary>
internal sealed partial class TextWrapper(int width, bool breakLongWords, bool breakOnHyphens)
{
    // Source-generated, so the NativeAOT binary carries these two matchers instead of the regex parser and interpreter
    // (about 300 KB of code).
    // textwrap.TextWrapper.wordsep_re, with \Z written as .NET's \z.
    [GeneratedRegex(@"([\t\n\x0b\x0c\r ]+|(?<=[\w!""'&.,?])-{2,}(?=\w)|[^\t\n\x0b\x0c\r ]+?(?:-(?:(?<=[^\d\W]{2}-)|(?<=[^\d\W]-[^\d\W]-))(?=[^\d\W]-?[^\d\W])|(?=[\t\n\x0b\x0c\r ]|\z)|(?<=[\w!""'&.,?])(?=-{2,}\w)))",
        RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex WordSeparator { get; }

    [GeneratedRegex(@"([\t\n\x0b\x0c\r ]+)", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex SimpleSeparator { get; }

    public List<string> Wrap(string text)
    {
        List<string> chunks = Split(text);
        chunks.Reverse();
        var lines = new List<string>();
        while (chunks.Count > 0)
        {
            var line = new List<string>();
            int length = 0;
            if (IsBlank(chunks[^1]) && lines.Count > 0)
                chunks.RemoveAt(chunks.Count - 1);
            while (chunks.Count > 0)
            {
                int l = Len(chunks[^1]);
                if (length + l > width)
                    break;
                line.Add(chunks[^1]);
                chunks.RemoveAt(chunks.Count - 1);
                length += l;
            }
            if (chunks.Count > 0 && Len(chunks[^1]) > width)
            {
                HandleLongWord(chunks, line, length);
                length = line.Sum(Len);
            }
            if (line.Count > 0 && IsBlank(line[^1]))
            {
                length -= Len(line[^1]);
                line.RemoveAt(line.Count - 1);
            }
            if (line.Count > 0)
                lines.Add(string.Concat(line));
        }
        return lines;
    }

    // re.split with the chunking expression. .NET's classes are not Python's (\w, and surrogate pairs as two units), so
    // the expression runs over a stand-in string, one BMP character per code point with the same class for the
    // expression: letters (and "_") as 'a', digits as '0', the whitespace and punctuation it names as themselves, the
    // rest as '#'. The chunks are then cut from the original at the same code point offsets.
    private List<string> Split(string text)
    {
        int[] cps = PythonStrings.ToCodePoints(text);
        var standIn = new char[cps.Length];
        for (int i = 0; i < cps.Length; i++)
        {
            int c = cps[i];
            standIn[i] = c is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '-' or '!' or '"' or '\'' or '&' or '.' or ',' or '?'
                ? (char)c
                : PythonChars.IsWordChar(c) ? (PythonChars.IsDecimal(c) ? '0' : 'a') : '#';
        }
        var offsets = new int[cps.Length + 1];
        for (int i = 0; i < cps.Length; i++)
            offsets[i + 1] = offsets[i] + (cps[i] >= 0x10000 ? 2 : 1);

        var chunks = new List<string>();
        int previous = 0;
        foreach (Match match in (breakOnHyphens ? WordSeparator : SimpleSeparator).Matches(new string(standIn)))
        {
            if (match.Index > previous)
                chunks.Add(text[offsets[previous]..offsets[match.Index]]);
            if (match.Length > 0)
                chunks.Add(text[offsets[match.Index]..offsets[match.Index + match.Length]]);
            previous = match.Index + match.Length;
        }
        if (previous < cps.Length)
            chunks.Add(text[offsets[previous]..]);
        return chunks;
    }

    private void HandleLongWord(List<string> chunks, List<string> line, int length)
    {
        int spaceLeft = width < 1 ? 1 : width - length;
        if (breakLongWords)
        {
            int end = spaceLeft;
            string chunk = chunks[^1];
            if (breakOnHyphens && Len(chunk) > spaceLeft)
            {
                string head = PythonStrings.Substring(chunk, 0, spaceLeft);
                int hyphen = PythonStrings.IndexOfOffset(head, head.LastIndexOf('-'));
                if (head.LastIndexOf('-') > 0 && PythonStrings.Substring(chunk, 0, hyphen).Any(c => c != '-'))
                    end = hyphen + 1;
            }
            line.Add(PythonStrings.Substring(chunk, 0, end));
            chunks[^1] = PythonStrings.Substring(chunk, end, Len(chunk));
        }
        else if (line.Count == 0)
        {
            line.Add(chunks[^1]);
            chunks.RemoveAt(chunks.Count - 1);
        }
    }

    private static int Len(string s) => PythonStrings.CodePointCount(s);

    private static bool IsBlank(string s) => PythonStrings.Strip(s, null, left: true, right: true).Length == 0;
}
