using System.Globalization;

namespace LlamaGen.Rag.Chunking;

/// <summary>Splits text into paragraphs (blank lines) and sentences (terminal punctuation, line breaks).</summary>
internal static class SentenceSegmenter
{
    // A period after these is not a sentence end ("e.g. the", "Dr. Smith"). Lower-case, without the period.
    private static readonly HashSet<string> Abbreviations = new(StringComparer.OrdinalIgnoreCase)
        { "e.g", "i.e", "etc", "vs", "mr", "mrs", "ms", "dr", "prof", "st", "no", "fig", "approx", "cf", "inc", "ltd", "jr", "sr" };

    public static List<TextUnit> Sentences(string text)
    {
        var units = new List<TextUnit>();
        int paragraphStart = 0;
        while (paragraphStart < text.Length)
        {
            int blank = text.IndexOf("\n\n", paragraphStart, StringComparison.Ordinal);
            int paragraphEnd = blank < 0 ? text.Length : blank;
            AddParagraph(text, paragraphStart, paragraphEnd, units);
            paragraphStart = blank < 0 ? text.Length : blank + 2;
        }
        return units;
    }

    private static void AddParagraph(string text, int start, int end, List<TextUnit> units)
    {
        int firstOfParagraph = units.Count;
        int sentenceStart = start;
        for (int i = start; i < end; i++)
        {
            char c = text[i];
            int boundary = -1; // one past the sentence's last character
            if (c == '\n')
                boundary = i;
            else if (IsTerminal(c))
            {
                int j = i + 1;
                while (j < end && (IsTerminal(text[j]) || IsClosing(text[j]))) j++;
                bool followedBySpace = j == end || char.IsWhiteSpace(text[j]);
                if (followedBySpace && !(c == '.' && IsAbbreviation(text, sentenceStart, i)))
                    boundary = j;
                if (boundary >= 0) i = j - 1;
            }
            else if (IsIdeographicTerminal(c))
                boundary = i + 1;
            if (boundary >= 0)
            {
                Add(text, sentenceStart, boundary, endsParagraph: false, units);
                sentenceStart = boundary;
            }
        }
        Add(text, sentenceStart, end, endsParagraph: true, units);
        // When the paragraph ended on a sentence boundary, the remainder was empty: its last sentence carries the end.
        if (units.Count > firstOfParagraph)
            units[^1] = units[^1] with { EndsParagraph = true };
    }

    private static void Add(string text, int start, int end, bool endsParagraph, List<TextUnit> units)
    {
        while (start < end && char.IsWhiteSpace(text[start])) start++;
        while (end > start && char.IsWhiteSpace(text[end - 1])) end--;
        if (end > start) units.Add(new TextUnit(start, end, endsParagraph));
    }

    private static bool IsTerminal(char c) => c is '.' or '!' or '?' or '…' or ';';

    private static bool IsIdeographicTerminal(char c) => c is '。' or '！' or '？';

    private static bool IsClosing(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’' or '»';

    // The word before the period: an abbreviation from the list, or a single letter (an initial, "J. Smith").
    private static bool IsAbbreviation(string text, int sentenceStart, int period)
    {
        int wordStart = period;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(text[wordStart - 1])) wordStart--;
        string word = text[wordStart..period].TrimStart('(', '"', '\'');
        return Abbreviations.Contains(word) || (word.Length == 1 && char.IsLetter(word[0]));
    }

    /// <summary>Whitespace-separated words of <c>text[start..end)</c>, as units.</summary>
    public static IEnumerable<TextUnit> Words(string text, int start, int end)
    {
        int i = start;
        while (i < end)
        {
            while (i < end && char.IsWhiteSpace(text[i])) i++;
            int wordStart = i;
            while (i < end && !char.IsWhiteSpace(text[i])) i++;
            if (i > wordStart) yield return new TextUnit(wordStart, i, false);
        }
    }

    /// <summary>The grapheme-cluster boundaries of <c>text[start..end)</c>, so a cut never splits a surrogate pair or a combining sequence.</summary>
    public static IEnumerable<int> GraphemeEnds(string text, int start, int end)
    {
        int i = start;
        while (i < end)
        {
            i += Math.Max(1, StringInfo.GetNextTextElementLength(text.AsSpan(i, end - i)));
            yield return Math.Min(i, end);
        }
    }
}
