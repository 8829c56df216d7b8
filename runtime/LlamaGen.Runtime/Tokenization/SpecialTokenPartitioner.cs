using System.Numerics;
using System.Text;

namespace LlamaGen.Tokenization;

/// <summary>
/// llama.cpp's <c>tokenizer_st_partition</c>: before any merging, the input is cut at the texts of special tokens, one
/// token at a time in <see cref="SpecialTokenRules.PartitionOrder"/> (longest first), each cutting every text fragment at
/// every occurrence from the left. Control and unknown tokens take part only when special tokens are parsed;
/// user-defined tokens always do. A token with a strip flag also drops the white space next to it. Works on UTF-16
/// text (SentencePiece) and on UTF-8 bytes (BPE, where the input may be invalid UTF-8).
/// </summary>
internal sealed class SpecialTokenPartitioner
{
    private readonly int[] _ids;
    private readonly string[] _texts;
    private readonly byte[][] _utf8;
    private readonly TokenAttributes[] _attributes;

    public SpecialTokenPartitioner(string[] texts, TokenAttributes[] attributes)
    {
        _ids = SpecialTokenRules.PartitionOrder(texts, attributes);
        _texts = [.. _ids.Select(id => texts[id])];
        _utf8 = [.. _texts.Select(Encoding.UTF8.GetBytes)];
        _attributes = [.. _ids.Select(id => attributes[id])];
    }

    public List<TextFragment> Partition(ReadOnlySpan<char> text, bool parseSpecial)
    {
        var fragments = Start(text.Length);
        for (int i = 0; i < _ids.Length; i++)
        {
            if (Applies(i, parseSpecial) && text.IndexOf(_texts[i], StringComparison.Ordinal) >= 0)
                fragments = Cut(text, _texts[i].AsSpan(), i, fragments);
        }
        return fragments;
    }

    public List<TextFragment> Partition(ReadOnlySpan<byte> text, bool parseSpecial)
    {
        var fragments = Start(text.Length);
        for (int i = 0; i < _ids.Length; i++)
        {
            if (Applies(i, parseSpecial) && text.IndexOf(_utf8[i]) >= 0)
                fragments = Cut(text, _utf8[i], i, fragments);
        }
        return fragments;
    }

    private static List<TextFragment> Start(int length) => length == 0 ? [] : [new TextFragment(0, length, -1)];

    private bool Applies(int index, bool parseSpecial) =>
        parseSpecial || (_attributes[index] & (TokenAttributes.Control | TokenAttributes.Unknown)) == 0;

    private List<TextFragment> Cut<T>(ReadOnlySpan<T> text, ReadOnlySpan<T> needle, int index, List<TextFragment> fragments)
        where T : unmanaged, IEquatable<T>, IBinaryInteger<T>
    {
        bool leftStrip = (_attributes[index] & TokenAttributes.LeftStrip) != 0;
        bool rightStrip = (_attributes[index] & TokenAttributes.RightStrip) != 0;
        var next = new List<TextFragment>(fragments.Count + 4);
        foreach (TextFragment fragment in fragments)
        {
            if (!fragment.IsText)
            {
                next.Add(fragment);
                continue;
            }
            int start = fragment.Start;
            int end = fragment.Start + fragment.Length;
            while (start < end)
            {
                int match = text[start..end].IndexOf(needle);
                if (match < 0)
                    break;
                int left = match;
                if (leftStrip)
                {
                    while (left > 0 && IsSpace(text[start + left - 1]))
                        left--;
                }
                if (left > 0)
                    next.Add(new TextFragment(start, left, -1));
                next.Add(new TextFragment(0, 0, _ids[index]));
                start += match + needle.Length;
                if (rightStrip)
                {
                    while (start < end && IsSpace(text[start]))
                        start++;
                }
            }
            if (start < end)
                next.Add(new TextFragment(start, end - start, -1));
        }
        return next;
    }

    // C's isspace in the "C" locale, which llama.cpp's strip flags use.
    private static bool IsSpace<T>(T value) where T : IBinaryInteger<T> => int.CreateTruncating(value) is (>= 9 and <= 13) or 32;
}
