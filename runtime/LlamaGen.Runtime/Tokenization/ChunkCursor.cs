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

    /// <summary>Ends a word at <paramref name="end"/> (nothing when it would be empty); returns its length.</summary>
    public int AddWord(int end)
    {
        int length = end - _previousEnd;
        if (length > 0)
            _output.Add(length);
        _previousEnd = end;
        return length;
    }
}
