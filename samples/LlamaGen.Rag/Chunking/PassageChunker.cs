using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.Chunking;

/// <summary>
/// Cuts a document's text into passages of at most <see cref="ChunkerOptions.MaxTokens"/> tokens that overlap by up to
/// <see cref="ChunkerOptions.OverlapTokens"/>, ending at a paragraph boundary when one falls in the second half of a
/// passage, else at a sentence boundary, and inside a sentence only when the sentence alone is too long. The overlap
/// is the previous passage's trailing whole sentences when they fit in it, else its trailing words.
/// </summary>
public sealed class PassageChunker
{
    private readonly ITokenCounter _tokens;
    private readonly ChunkerOptions _options;

    public PassageChunker(ITokenCounter tokens, ChunkerOptions options)
    {
        options.Validate();
        _tokens = tokens;
        _options = options;
    }

    public ChunkerOptions Options => _options;

    public IReadOnlyList<TextChunk> Split(string text)
    {
        var units = Units(text);
        var chunks = new List<TextChunk>();
        if (units.Count == 0) return chunks;
        // A passage runs from `start` (a character offset: an overlap may begin inside unit `first`) to the end of unit `last`.
        int first = 0, start = units[0].Start;
        while (true)
        {
            int last = LastFitting(text, units, first, start);
            last = PreferParagraphEnd(text, units, first, start, last);
            string passage = text[start..units[last].End];
            chunks.Add(new TextChunk(chunks.Count, start, passage.Length, passage, _tokens.CountTokens(passage)));
            if (last == units.Count - 1) return chunks;
            (first, start) = OverlapStart(text, units, start, last);
        }
    }

    // Sentences, with any sentence over the limit broken into words, and any word over the limit into grapheme runs.
    private List<TextUnit> Units(string text)
    {
        var units = new List<TextUnit>();
        foreach (var sentence in SentenceSegmenter.Sentences(text))
        {
            if (Count(text, sentence.Start, sentence.End) <= _options.MaxTokens)
            {
                units.Add(sentence);
                continue;
            }
            var words = SentenceSegmenter.Words(text, sentence.Start, sentence.End).ToList();
            for (int w = 0; w < words.Count; w++)
            {
                var word = words[w];
                bool endsParagraph = sentence.EndsParagraph && w == words.Count - 1;
                if (Count(text, word.Start, word.End) <= _options.MaxTokens)
                    units.Add(word with { EndsParagraph = endsParagraph });
                else
                    AddGraphemeRuns(text, word, endsParagraph, units);
            }
        }
        return units;
    }

    private void AddGraphemeRuns(string text, TextUnit word, bool endsParagraph, List<TextUnit> units)
    {
        int runStart = word.Start, runEnd = word.Start;
        foreach (int end in SentenceSegmenter.GraphemeEnds(text, word.Start, word.End))
        {
            if (runEnd > runStart && Count(text, runStart, end) > _options.MaxTokens)
            {
                units.Add(new TextUnit(runStart, runEnd, false));
                runStart = runEnd;
            }
            runEnd = end;
        }
        units.Add(new TextUnit(runStart, runEnd, endsParagraph));
    }

    // The last unit such that start..last fits; at least first itself (a unit over the limit is a lone grapheme cluster).
    private int LastFitting(string text, List<TextUnit> units, int first, int start)
    {
        int last = first;
        while (last + 1 < units.Count && Count(text, start, units[last + 1].End) <= _options.MaxTokens)
            last++;
        return last;
    }

    private int PreferParagraphEnd(string text, List<TextUnit> units, int first, int start, int last)
    {
        if (units[last].EndsParagraph || last == units.Count - 1) return last;
        for (int k = last - 1; k >= first; k--)
        {
            if (!units[k].EndsParagraph) continue;
            return Count(text, start, units[k].End) * 2 >= _options.MaxTokens ? k : last;
        }
        return last;
    }

    // Where the passage after one ending at unit `last` starts: as many whole trailing units as fit in the overlap, else
    // the trailing words of unit `last` that fit, else no overlap. The next passage must still reach past `last`, so an
    // overlap is only taken when it leaves room for unit last + 1.
    private (int First, int Start) OverlapStart(string text, List<TextUnit> units, int start, int last)
    {
        int nextEnd = units[last + 1].End;
        bool Fits(int candidate) => candidate > start
            && Count(text, candidate, units[last].End) <= _options.OverlapTokens
            && Count(text, candidate, nextEnd) <= _options.MaxTokens;

        int first = last + 1;
        while (first - 1 >= 0 && Fits(units[first - 1].Start)) first--;
        if (first <= last) return (first, units[first].Start);

        foreach (var word in SentenceSegmenter.Words(text, units[last].Start, units[last].End))
            if (Fits(word.Start)) return (last, word.Start);
        return (last + 1, units[last + 1].Start);
    }

    private int Count(string text, int start, int end) => _tokens.CountTokens(text[start..end]);
}
