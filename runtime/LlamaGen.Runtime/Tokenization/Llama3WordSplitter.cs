namespace LlamaGen.Tokenization;

/// <summary>
/// Llama 3's pre-tokenizer regex
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// which llama.cpp runs as the hand-written scanner <c>unicode_regex_split_custom_llama3</c>; this is that scanner's
/// logic on code points with llama.cpp's Unicode flags. Contractions match in either case; numbers split into groups of
/// at most three digits from the left.
/// </summary>
internal sealed class Llama3WordSplitter : ChunkScanner
{
    public static readonly Llama3WordSplitter Instance = new();

    protected override void SplitChunk(ChunkCursor text)
    {
        const UnicodeFlags WordClasses = UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number;
        for (int position = text.Start; position < text.End;)
        {
            int c = text.CodePoint(position);
            UnicodeFlags flags = text.Flags(position);

            // (?i:'s|'t|'re|'ve|'m|'ll|'d)
            if (text.TryAddContraction(ref position, ignoreCase: true))
                continue;

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
            text.AddWhitespaceOrCharacter(ref position, whitespace);
        }
    }
}
