namespace LlamaGen.Tokenization;

/// <summary>
/// Llama 3's pre-tokenizer regex
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// which llama.cpp runs as the hand-written scanner <c>unicode_regex_split_custom_llama3</c>; this is that scanner's
/// logic on code points with llama.cpp's Unicode flags. Contractions match in either case; numbers split into groups of
/// at most three digits from the left.
/// </summary>
internal sealed class Llama3WordSplitter : IWordSplitter
{
    /// <summary>The regex text llama.cpp recognizes to pick this scanner (the case-insensitive group spelled out).</summary>
    public const string Pattern =
        @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static readonly Llama3WordSplitter Instance = new();

    public void Split(ReadOnlySpan<int> codePoints, List<int> chunks, List<int> output)
    {
        int start = 0;
        foreach (int length in chunks)
        {
            SplitChunk(new ChunkCursor(codePoints, start, start + length, output));
            start += length;
        }
    }

    // llama.cpp lower-cases with its own table; only 'A'-'Z' lower-case into the letters compared here (a test checks
    // this against llama.cpp's table), so folding ASCII is the same.
    private static int ToLowerAscii(int c) => c is >= 'A' and <= 'Z' ? c + 32 : c;

    private static void SplitChunk(ChunkCursor text)
    {
        const UnicodeFlags WordClasses = UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number;
        for (int position = text.Start; position < text.End;)
        {
            int c = text.CodePoint(position);
            UnicodeFlags flags = text.Flags(position);

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if (c == '\'' && position + 1 < text.End)
            {
                int next = ToLowerAscii(text.CodePoint(position + 1));
                if (next is 's' or 't' or 'm' or 'd')
                {
                    position += text.AddWord(position + 2);
                    continue;
                }
                if (position + 2 < text.End)
                {
                    int nextNext = ToLowerAscii(text.CodePoint(position + 2));
                    if ((next, nextNext) is ('r', 'e') or ('v', 'e') or ('l', 'l'))
                    {
                        position += text.AddWord(position + 3);
                        continue;
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(c == '\r' || c == '\n' || (flags & UnicodeFlags.Number) != 0)
                && ((flags & UnicodeFlags.Letter) != 0 || (text.Flags(position + 1) & UnicodeFlags.Letter) != 0))
            {
                position++;
                while ((text.Flags(position) & UnicodeFlags.Letter) != 0)
                    position++;
                text.AddWord(position);
                continue;
            }

            // \p{N}{1,3}
            if ((flags & UnicodeFlags.Number) != 0)
            {
                int groupStart = position;
                while ((text.Flags(position) & UnicodeFlags.Number) != 0)
                {
                    if (++position - groupStart >= 3)
                    {
                        text.AddWord(position);
                        groupStart = position;
                    }
                }
                text.AddWord(position);
                continue;
            }

            // " ?[^\s\p{L}\p{N}]+[\r\n]*"; llama.cpp tests the current character's flags for being set, not the lead's.
            UnicodeFlags lead = c == ' ' ? text.Flags(position + 1) : flags;
            if ((lead & WordClasses) == 0 && flags != UnicodeFlags.None)
            {
                position += c == ' ' ? 1 : 0;
                UnicodeFlags f = lead;
                while ((f & WordClasses) == 0 && f != UnicodeFlags.None)
                    f = text.Flags(++position);
                int after = text.CodePoint(position);
                while (after is '\r' or '\n')
                    after = text.CodePoint(++position);
                text.AddWord(position);
                continue;
            }

            int whitespace = 0;
            int lastLineBreakEnd = 0;
            while ((text.Flags(position + whitespace) & UnicodeFlags.Whitespace) != 0)
            {
                if (text.CodePoint(position + whitespace) is '\r' or '\n')
                    lastLineBreakEnd = position + whitespace + 1;
                whitespace++;
            }

            // \s*[\r\n]+: white space up to and including its last line break.
            if (lastLineBreakEnd > 0)
            {
                position = lastLineBreakEnd;
                text.AddWord(position);
                continue;
            }
            // \s+(?!\S)
            if (whitespace > 1 && text.CodePoint(position + whitespace) != ChunkCursor.OutOfRange)
            {
                position += whitespace - 1;
                text.AddWord(position);
                continue;
            }
            if (whitespace > 0)
            {
                position += whitespace;
                text.AddWord(position);
                continue;
            }

            text.AddWord(++position);
        }
    }
}
