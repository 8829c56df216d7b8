using LlamaGen.Rag.Tokens;

namespace LlamaGen.Rag.Chunking;

/// <summary>
/// Cuts a document's text into passages of at most <see cref="ChunkerOptions.MaxTokens"/> tokens that overlap by up to
/// <see cref="ChunkerOptions.OverlapTokens"/>, ending at a paragraph boundary when one falls in the second half of a
/// passage, else at a sentence boundary, and inside a sentence only when the sentence alone is too long.
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
        int first = 0;
        while (first < units.Count)
        {
            int last = LastFitting(text, units, first);
            last = PreferParagraphEnd(text, units, first, last);
            chunks.Add(MakeChunk(text, units, chunks.Count, first, last));
            if (last == units.Count - 1) break;
            first = OverlapStart(text, units, first, last);
        }
        return chunks;
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

    // The last unit such that first..last fits; at least first itself (a unit over the limit is a lone grapheme cluster).
    private int LastFitting(string text, List<TextUnit> units, int first)
    {
        int last = first;
        while (last + 1 < units.Count && Count(text, units[first].Start, units[last + 1].End) <= _options.MaxTokens)
            last++;
        return last;
    }

    private int PreferParagraphEnd(string text, List<TextUnit> units, int first, int last)
    {
        if (units[last].EndsParagraph || last == units.Count - 1) return last;
        for (int k = last - 1; k >= first; k--)
        {
            if (!units[k].EndsParagraph) continue;
            return Count(text, units[first].Start, units[k].End) * 2 >= _options.MaxTokens ? k : last;
        }
        return last;
    }

    // The next passage starts with as many whole trailing units of this one as fit in the overlap, and always after `first`.
    private int OverlapStart(string text, List<TextUnit> units, int first, int last)
    {
        int start = last + 1;
        while (start - 1 > first && Count(text, units[start - 1].Start, units[last].End) <= _options.OverlapTokens)
            start--;
        return start;
    }

    private TextChunk MakeChunk(string text, List<TextUnit> units, int position, int first, int last)
    {
        int start = units[first].Start, end = units[last].End;
        string passage = text[start..end];
        return new TextChunk(position, start, end - start, passage, _tokens.CountTokens(passage));
    }

    private int Count(string text, int start, int end) => _tokens.CountTokens(text[start..end]);
}
