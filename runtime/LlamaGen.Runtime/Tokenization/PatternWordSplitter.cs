using System.Buffers;

namespace LlamaGen.Tokenization;

/// <summary>
/// A pre-tokenizer step that llama.cpp runs through <c>std::regex</c> (<c>unicode_regex_split_stl</c>): within each chunk,
/// every leftmost match becomes a chunk, and so does every gap before, between and after the matches.
/// </summary>
internal sealed class PatternWordSplitter(SplitPattern pattern) : IWordSplitter
{
    public SplitPattern Pattern { get; } = pattern;

    public void Split(ReadOnlySpan<int> codePoints, List<int> chunks, List<int> output)
    {
        int[] rented = ArrayPool<int>.Shared.Rent(Math.Max(1, codePoints.Length));
        try
        {
            Span<int> units = rented.AsSpan(0, codePoints.Length);
            if (Pattern.UsesCategories)
                PatternText.Collapse(codePoints, units);
            else
                PatternText.Widen(codePoints, units);

            int start = 0;
            foreach (int length in chunks)
            {
                int end = start + length;
                int previous = start;
                var cache = default(SplitPattern.RunCache);
                while (previous < end && Pattern.TryFind(units, previous, end, ref cache, out int matchStart, out int matchEnd))
                {
                    if (matchStart > previous)
                        output.Add(matchStart - previous);
                    output.Add(matchEnd - matchStart);
                    previous = matchEnd;
                }
                if (previous < end)
                    output.Add(end - previous);
                start = end;
            }
        }
        finally
        {
            ArrayPool<int>.Shared.Return(rented);
        }
    }

    public override string ToString() => Pattern.Pattern;
}
