namespace LlamaGen.Tokenization;

/// <summary>
/// The view llama.cpp's hand-written splitters have of one chunk: a code point and its flags at any position, with
/// positions outside the chunk reading as "out of range" (no code point, no flags), and the emitted word boundaries.
/// </summary>
internal ref struct ChunkCursor
{
    public const int OutOfRange = -1;

    private readonly ReadOnlySpan<int> _codePoints;
    private readonly List<int> _output;
    private int _previousEnd;

    public ChunkCursor(ReadOnlySpan<int> codePoints, int start, int end, List<int> output)
    {
        _codePoints = codePoints;
        Start = start;
        End = end;
        _output = output;
        _previousEnd = start;
    }

    public int Start { get; }
    public int End { get; }

    public readonly int CodePoint(int position) => position >= Start && position < End ? _codePoints[position] : OutOfRange;

    public readonly UnicodeFlags Flags(int position) =>
        position >= Start && position < End ? UnicodeFlagTable.Get(_codePoints[position]) : UnicodeFlags.None;

    /// <summary>
    /// <c>'s|'t|'re|'ve|'m|'ll|'d</c> at <paramref name="position"/>: emits the contraction as a word and moves past it.
    /// <paramref name="ignoreCase"/> folds the letters as llama.cpp's Llama 3 scanner does (only 'A'-'Z' fold into
    /// the letters compared, which a test checks against llama.cpp's table, so folding ASCII is the same).
    /// </summary>
    public bool TryAddContraction(ref int position, bool ignoreCase)
    {
        if (CodePoint(position) != '\'' || position + 1 >= End)
            return false;
        int next = Fold(CodePoint(position + 1), ignoreCase);
        if (next is 's' or 't' or 'm' or 'd')
        {
            position += AddWord(position + 2);
            return true;
        }
        if (position + 2 < End && (next, Fold(CodePoint(position + 2), ignoreCase)) is ('r', 'e') or ('v', 'e') or ('l', 'l'))
        {
            position += AddWord(position + 3);
            return true;
        }
        return false;
    }

    /// <summary>
    /// The end of both scanners: <c>\s+(?!\S)</c> (a white-space run followed by more text leaves its last character to
    /// the next word), else <c>\s+</c>, else a single character that nothing matched. <paramref name="whitespace"/> is the
    /// length of the white-space run at <paramref name="position"/>.
    /// </summary>
    public void AddWhitespaceOrCharacter(ref int position, int whitespace)
    {
        if (whitespace > 1 && CodePoint(position + whitespace) != OutOfRange)
            position += whitespace - 1;
        else if (whitespace > 0)
            position += whitespace;
        else
            position++;
        AddWord(position);
    }

    /// <summary>Ends a word at <paramref name="end"/> (nothing when it would be empty); returns its length.</summary>
    public int AddWord(int end)
    {
        int length = end - _previousEnd;
        if (length > 0)
            _output.Add(length);
        _previousEnd = end;
        return length;
    }

    private static int Fold(int c, bool ignoreCase) => ignoreCase && c is >= 'A' and <= 'Z' ? c + 32 : c;
}
