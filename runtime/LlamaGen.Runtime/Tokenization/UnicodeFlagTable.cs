namespace LlamaGen.Tokenization;

/// <summary>
/// llama.cpp's code point classification (<c>unicode_cpt_flags_from_cpt</c>), frozen as data so that tokenization never
/// changes when .NET updates its Unicode version. The ranges in <see cref="Ranges"/> were dumped from the libllama that
/// LLamaSharp 0.30.0 ships; <c>UnicodeFlagTableTests</c> compares every code point with it.
/// </summary>
internal static partial class UnicodeFlagTable
{
    private const int FlagBits = 9;
    private const uint FlagMask = (1u << FlagBits) - 1;

    // The Basic Multilingual Plane expanded once (64K entries): most text never needs the binary search.
    private static readonly UnicodeFlags[] BasicPlane = BuildBasicPlane();

    /// <summary>The flags of a code point; values above U+10FFFF (which llama.cpp's lenient UTF-8 decoder can produce)
    /// are <see cref="UnicodeFlags.Undefined"/>, as in llama.cpp.</summary>
    public static UnicodeFlags Get(int codePoint)
    {
        if ((uint)codePoint < (uint)BasicPlane.Length)
            return BasicPlane[codePoint];
        return codePoint is >= 0x10000 and <= 0x10FFFF ? Search(codePoint) : UnicodeFlags.Undefined;
    }

    private static UnicodeFlags Search(int codePoint)
    {
        ReadOnlySpan<uint> ranges = Ranges;
        int low = 0, high = ranges.Length - 1;
        // The last range whose start is at or below the code point.
        while (low < high)
        {
            int middle = (low + high + 1) >> 1;
            if ((int)(ranges[middle] >> FlagBits) <= codePoint)
                low = middle;
            else
                high = middle - 1;
        }
        return (UnicodeFlags)(ranges[low] & FlagMask);
    }

    private static UnicodeFlags[] BuildBasicPlane()
    {
        var table = new UnicodeFlags[0x10000];
        ReadOnlySpan<uint> ranges = Ranges;
        for (int i = 0; i < ranges.Length; i++)
        {
            int start = (int)(ranges[i] >> FlagBits);
            if (start >= table.Length)
                break;
            int end = i + 1 < ranges.Length ? Math.Min((int)(ranges[i + 1] >> FlagBits), table.Length) : table.Length;
            table.AsSpan(start, end - start).Fill((UnicodeFlags)(ranges[i] & FlagMask));
        }
        return table;
    }
}
