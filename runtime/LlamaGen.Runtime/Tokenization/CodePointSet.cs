namespace LlamaGen.Tokenization;

/// <summary>
/// A set of code points (or of the placeholder units of <see cref="PatternText"/>) given as inclusive ranges, possibly
/// negated: one bracket expression or escape of a <see cref="SplitPattern"/>.
/// </summary>
internal sealed class CodePointSet
{
    private readonly (int First, int Last)[] _ranges;
    private readonly bool _negated;
    // Membership of the first 256 values, precomputed: collapsed text uses nothing else, and ASCII dominates the rest.
    private readonly ulong[] _low = new ulong[4];

    public CodePointSet(IEnumerable<(int First, int Last)> ranges, bool negated)
    {
        _ranges = ranges.OrderBy(r => r.First).ToArray();
        _negated = negated;
        for (int c = 0; c < 256; c++)
        {
            if (Search(c) != negated)
                _low[c >> 6] |= 1UL << (c & 63);
        }
    }

    public bool Contains(int value) =>
        (uint)value < 256 ? (_low[value >> 6] & (1UL << (value & 63))) != 0 : Search(value) != _negated;

    private bool Search(int value)
    {
        foreach (var (first, last) in _ranges)
        {
            if (value < first)
                return false;
            if (value <= last)
                return true;
        }
        return false;
    }
}
