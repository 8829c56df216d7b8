namespace LlamaGen.Tokenization;

/// <summary>
/// GPT-2's pre-tokenizer regex <c>'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+</c>, which
/// llama.cpp does not run as a regex but as the hand-written scanner <c>unicode_regex_split_custom_gpt2</c>; this is that
/// scanner's logic on code points with llama.cpp's Unicode flags. Contractions are lower case only.
/// </summary>
internal sealed class Gpt2WordSplitter : ChunkScanner
{
    public static readonly Gpt2WordSplitter Instance = new();

    protected override void SplitChunk(ChunkCursor text)
    {
        const UnicodeFlags WordClasses = UnicodeFlags.Whitespace | UnicodeFlags.Letter | UnicodeFlags.Number;
        for (int position = text.Start; position < text.End;)
        {
            int c = text.CodePoint(position);
            UnicodeFlags flags = text.Flags(position);

            // 's|'t|'re|'ve|'m|'ll|'d
            if (text.TryAddContraction(ref position, ignoreCase: false))
                continue;

            // An optional space, then a run of letters, of numbers, or of anything else but white space.
            UnicodeFlags lead = c == ' ' ? text.Flags(position + 1) : flags;
            if ((lead & UnicodeFlags.Letter) != 0)
            {
                position += c == ' ' ? 1 : 0;
                while ((text.Flags(position) & UnicodeFlags.Letter) != 0)
                    position++;
                text.AddWord(position);
                continue;
            }
            if ((lead & UnicodeFlags.Number) != 0)
            {
                position += c == ' ' ? 1 : 0;
                while ((text.Flags(position) & UnicodeFlags.Number) != 0)
                    position++;
                text.AddWord(position);
                continue;
            }
            if ((lead & WordClasses) == 0 && lead != UnicodeFlags.None)
            {
                position += c == ' ' ? 1 : 0;
                UnicodeFlags f = lead;
                while ((f & WordClasses) == 0 && f != UnicodeFlags.None)
                    f = text.Flags(++position);
                text.AddWord(position);
                continue;
            }

            int whitespace = 0;
            while ((text.Flags(position + whitespace) & UnicodeFlags.Whitespace) != 0)
                whitespace++;

            text.AddWhitespaceOrCharacter(ref position, whitespace);
        }
    }
}
