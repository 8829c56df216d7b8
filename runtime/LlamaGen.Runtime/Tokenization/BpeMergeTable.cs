namespace LlamaGen.Tokenization;

/// <summary>
/// The merge rules of a byte-level BPE vocabulary (<c>tokenizer.ggml.merges</c>): each rule "left right" has the rank of
/// its index, and a pair of adjacent symbols can merge only when a rule names exactly their two texts. Texts that occur
/// in rules get small integer ids ("parts") so that a pair is looked up by two ints, and each rule knows the part and
/// the vocabulary id its merged text has, so merging never builds strings.
/// </summary>
internal sealed class BpeMergeTable
{
    private readonly Dictionary<string, int> _partIds;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _partLookup;
    private readonly Dictionary<long, int> _rankByPair;
    private readonly int[] _mergedPart;
    private readonly int[] _mergedToken;

    /// <param name="merges">The rules in rank order. As in llama.cpp, a rule is split at its first space after the first
    /// character; a rule without one pairs two empty texts (which never match), and a repeated pair keeps its first rank.</param>
    /// <param name="tokenId">The vocabulary id of a text, or -1.</param>
    public BpeMergeTable(IReadOnlyList<string> merges, Func<string, int> tokenId)
    {
        _partIds = new Dictionary<string, int>(StringComparer.Ordinal);
        _partLookup = _partIds.GetAlternateLookup<ReadOnlySpan<char>>();
        _rankByPair = new Dictionary<long, int>(merges.Count);
        _mergedPart = new int[merges.Count];
        _mergedToken = new int[merges.Count];
        var merged = new string[merges.Count];
        for (int rank = 0; rank < merges.Count; rank++)
        {
            string rule = merges[rank];
            int space = rule.Length > 1 ? rule.IndexOf(' ', 1) : -1;
            string left = space < 0 ? "" : rule[..space];
            string right = space < 0 ? "" : rule[(space + 1)..];
            merged[rank] = left + right;
            _rankByPair.TryAdd(Key(PartOf(left), PartOf(right)), rank);
        }
        for (int rank = 0; rank < merges.Count; rank++)
        {
            _mergedPart[rank] = _partIds.TryGetValue(merged[rank], out int part) ? part : -1;
            _mergedToken[rank] = tokenId(merged[rank]);
        }
        Count = merges.Count;
    }

    public int Count { get; }

    /// <summary>The part id of a text, or -1 when no rule names it (it can then never merge further).</summary>
    public int FindPart(ReadOnlySpan<char> text) => _partLookup.TryGetValue(text, out int part) ? part : -1;

    /// <summary>The rank of the rule merging two parts, or -1.</summary>
    public int FindRank(int leftPart, int rightPart) =>
        leftPart >= 0 && rightPart >= 0 && _rankByPair.TryGetValue(Key(leftPart, rightPart), out int rank) ? rank : -1;

    /// <summary>The part id of the text a rule produces (-1 when no rule takes it further).</summary>
    public int MergedPart(int rank) => _mergedPart[rank];

    /// <summary>The vocabulary id of the text a rule produces, or -1 when it is not a token.</summary>
    public int MergedToken(int rank) => _mergedToken[rank];

    private int PartOf(string text)
    {
        if (!_partIds.TryGetValue(text, out int part))
        {
            part = _partIds.Count;
            _partIds.Add(text, part);
        }
        return part;
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
