using System.Text.RegularExpressions;

namespace LlamaGen.Chat.Python;

/// <summary>
/// Python's <c>textwrap.wrap</c> as jinja2's <c>wordwrap</c> filter calls it (no tab expansion, whitespace kept,
/// whitespace dropped at line ends): the same chunking regular expression (breaking after hyphens when asked) and the
/// same greedy line filling and long-word breaking.
/// </summary>
internal sealed class TextWrapper(int width, bool breakLongWords, bool breakOnHyphens)
{
    // textwrap.TextWrapper.wordsep_re, with \Z written as .NET's \z.
    private static readonly Regex WordSeparator = new(
        @"([\t\n\x0b\x0c\r ]+|(?<=[\w!""'&.,?])-{2,}(?=\w)|[^\t\n\x0b\x0c\r ]+?(?:-(?:(?<=[^\d\W]{2}-)|(?<=[^\d\W]-[^\d\W]-))(?=[^\d\W]-?[^\d\W])|(?=[\t\n\x0b\x0c\r ]|\z)|(?<=[\w!""'&.,?])(?=-{2,}\w)))",
        RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    private static readonly Regex SimpleSeparator = new(@"([\t\n\x0b\x0c\r ]+)", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(2));

    public List<string> Wrap(string text)
    {
        var chunks = (breakOnHyphens ? WordSeparator : SimpleSeparator).Split(text).Where(c => c.Length > 0).ToList();
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
